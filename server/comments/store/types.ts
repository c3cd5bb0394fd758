// How threads are kept in the database: one interface, two implementations chosen once in forum.ts by what the
// database can do. `mongo` reads index ranges and moves counters with atomic $inc; `embedded` (FerretDB, whose
// SQLite backend serves nothing but `_id` lookups from an index and whose $inc is read-modify-write) reads by _id
// through position documents, keeps the top order in memory and queues counter moves per document.
import type { Types } from 'mongoose';
import type { CommentStatus } from '../../../shared/types';
import type { SongRecord } from '../../songs/model';
import type { CommentRecord } from '../model';

export type SongRef = Pick<SongRecord, '_id' | 'lastSeq'>;

/** A place in the top order: a comment's score and id (the cursor of the `top` sort). */
export interface TopMark {
  score: number;
  id: string;
}

/** The fields of a new comment that the caller decides; the store adds songId, seq, createdAt, idemKey. */
/**
 * The song update that claims a thread position: a held comment takes its position without being counted or
 * moving the thread's last activity (readers cannot see it yet; approval counts it).
 */
export function claimUpdate(fields: Pick<NewComment, 'status'>, createdAt: Date, at?: number): Record<string, unknown> {
  // Proposed by the song, the position is the next one; known beforehand, it is set (never moving lastSeq back).
  const inc: Record<string, number> = at === undefined ? { lastSeq: 1 } : {};
  const max: Record<string, number | Date> = at === undefined ? {} : { lastSeq: at };
  if (fields.status === 'visible') {
    inc.commentCount = 1;
    Object.assign(max, { lastCommentAt: createdAt, activityAt: createdAt });
  }
  const update: Record<string, unknown> = {};
  if (Object.keys(inc).length) update.$inc = inc;
  if (Object.keys(max).length) update.$max = max;
  return update;
}

export type NewComment = Pick<CommentRecord, 'parentId' | 'author' | 'body' | 'clientId' | 'status' | 'heldFor' | 'guestTokenHash'>;

export interface InsertHooks {
  /**
   * Runs before anything is written or counted, beside the position claim where the store can (the idempotency
   * check and the rate limit of a post that reserved no key): if it throws, no comment is written, no counter moves,
   * a position claimed beside it is left empty, and its error is thrown.
   */
  before?: () => Promise<void>;
  /** Runs once the comment is stored (a reply's parent count). */
  afterInsert?: (record: CommentRecord) => Promise<void>;
  /**
   * Tells readers of the stored comment. A store that can moves the song's counters after it (one write less before
   * readers hear of a post), and says so by calling this before its promise settles; a store that does not call it
   * leaves the telling to the caller, after the insert.
   */
  announce?: (record: CommentRecord) => Promise<void>;
  /** The comment is stored but the song's counters, moved after it, were not: the thread needs a recount. */
  countsNotMoved?: (err: unknown) => void;
}

export interface ThreadStore {
  readonly kind: 'mongo' | 'embedded';
  /**
   * No other instance shares this store's turns (the embedded store with the in-process queue): a crash of the
   * instance is followed by its own start-up recount, so a post need not reserve its idempotency key before it
   * writes (post.ts); the comment's unique idemKey still lets only one comment in per key.
   */
  readonly soleInstance: boolean;
  /** The thread's last claimed position (the song's `lastSeq`, checked where instances can lose an update). */
  lastPosition(song: SongRef): Promise<number>;
  /** Up to `want` comments with one of `statuses`, after position `from` (exclusive) going `dir`, in position order. */
  readPage(song: SongRef, from: number, dir: 1 | -1, want: number, statuses: readonly CommentStatus[]): Promise<CommentRecord[]>;
  /** Up to `want` comments with one of `statuses` in top order (score desc, then oldest), after `after` when given. */
  readTop(song: SongRef, want: number, after: TopMark | null, statuses: readonly CommentStatus[]): Promise<CommentRecord[]>;
  /** The thread's comments among `ids` (a page's reply parents), by id; ids of other threads or of none are left out. */
  comments(song: Pick<SongRecord, '_id'>, ids: Types.ObjectId[]): Promise<Map<string, CommentRecord>>;
  /**
   * Claims the thread's next position and stores the comment there, moving the song's counters with it (lastSeq;
   * commentCount and lastCommentAt only for a visible comment); on failure the counters move back and the error
   * is thrown. The hooks run in the same turn of the thread as the insert, so a recount, which holds the thread's
   * turn, never finds the comment stored and its counts not moved.
   */
  insertAtNextPosition(song: Pick<SongRecord, '_id'>, fields: NewComment, idemKey: string, id: Types.ObjectId, hooks?: InsertHooks): Promise<CommentRecord>;
  /**
   * Runs `move`, a read-then-write of one document's counters (a vote swap and the score it moves, a reply count),
   * so that it cannot interleave with another move of the same document where the database would lose one.
   */
  moveCounters<T>(documentKey: string, move: () => Promise<T>): Promise<T>;
  /** A comment's score (or status) changed: where the store keeps an order of its own, the comment moves in it now. */
  noteScore(songId: Types.ObjectId, commentId: string, score: number): void;
}
