// The thread store for the embedded database (FerretDB on SQLite), where only `_id` lookups use an index and
// updates are read-modify-write. A page reads the thread's positions by _id, then their comments by _id, so every
// page costs the same at any depth, and both are kept across the thread's versions (records.ts) so a page rebuilt
// after a write reads only what the write touched; positions are claimed by inserting a unique _id (which settles a race between
// instances atomically); the top order is kept in memory (top.ts); counter moves queue per document (queue.ts, or
// redis-queue.ts across instances). Every write is a round trip that FerretDB serialises with all others, so a post
// in a thread whose last position this instance knows does only two before readers hear of it (the position, the
// comment) and moves the song's counters after.
import mongoose, { type Connection, type Types } from 'mongoose';
import { byteLru } from '../../cache/lru';
import { byIdsServed } from '../../db/by-ids';
import { isDuplicateKey } from '../../db/connection';
import { insertRecord } from '../../db/insert';
import { NotFound } from '../../errors';
import { songModel, type SongRecord } from '../../songs/model';
import { commentModel, threadPositionId, threadPositionModel, type CommentRecord } from '../model';
import { createKeyedQueue, type KeyedQueue } from './queue';
import { uncachedRecords, type RecordCache } from './records';
import { createTopOrders, type Ranked } from './top';
import { claimUpdate, type InsertHooks, type NewComment, type SongRef, type ThreadStore } from './types';

/** A comment as the store writes it, but for its position. */
type NewRow = NewComment & Pick<CommentRecord, '_id' | 'songId' | 'createdAt' | 'idemKey'>;

/** How long a thread's top order is served before it is read again (other instances' votes show within it). */
export const TOP_TTL_MS = 30_000;
/** Threads whose top order one instance keeps at most. */
const TOP_THREADS_KEPT = 500;
/** Positions tried past a taken one before giving up (instances racing for the same positions). */
const MAX_CLAIM_ATTEMPTS = 1000;
/** Threads whose last claimed position one instance keeps at most (a number each). */
const LAST_CLAIMED_KEPT = 10_000;

/**
 * `queue` serialises each document's counter moves and each thread's position claims: the in-process queue for one
 * instance per database, the Redis one (redis-queue.ts) for several instances sharing a Redis (forum.ts chooses).
 * `records` keeps positions and comment records between reads (forum.ts makes it with the page cache); by default
 * every read goes to the database.
 */
export function createEmbeddedStore(
  conn: Connection,
  queue: KeyedQueue = createKeyedQueue(),
  records: RecordCache = uncachedRecords(),
  /** Whether a `_id` `$in` is served from the index (Database.idSetsFromIndex): then a page's records are one read each. */
  idSetsFromIndex: () => Promise<boolean> = async () => false,
): ThreadStore {
  const Comments = commentModel(conn);
  const Positions = threadPositionModel(conn);
  const Songs = songModel(conn);
  const top = createTopOrders(
    async (songId) => {
      const rows = await Comments.find({ songId }, { _id: 1, score: 1 }).lean<{ _id: Types.ObjectId; score?: number }[]>();
      return rows.map((c): Ranked => ({ id: String(c._id), score: c.score ?? 0 }));
    },
    { ttlMs: TOP_TTL_MS, maxThreads: TOP_THREADS_KEPT },
  );
  // A page's records: one `$in` each where the database serves it from the index, else one lookup a record.
  const commentsById = async (ids: string[]) => {
    const valid = ids.filter((id) => mongoose.isObjectIdOrHexString(id)).map((id) => new mongoose.Types.ObjectId(id));
    const found = await byIdsServed<CommentRecord>(idSetsFromIndex, Comments, valid);
    return ids.map((id) => found.get(id) ?? null);
  };
  const positionsIn = (songId: Types.ObjectId) => async (seqs: number[]) => {
    const keys = seqs.map((seq) => threadPositionId(songId, seq));
    const found = await byIdsServed(idSetsFromIndex, Positions, keys);
    return keys.map((key) => {
      const p = found.get(key);
      return p ? String(p.commentId) : null;
    });
  };

  /**
   * The last position this process claimed in each thread, kept only while no other instance writes to the database
   * (the in-process queue): the next claim proposes the one after it without waiting for the song's answer.
   */
  const lastClaimed = queue.acrossInstances ? null : byteLru<{ seq: number; bytes: 1 }>(LAST_CLAIMED_KEPT);

  /** Inserts position `seq` for the comment if no one holds it yet: false when another writer does. */
  const claimIfFree = (songId: Types.ObjectId, seq: number, commentId: Types.ObjectId) =>
    insertRecord(Positions, { _id: threadPositionId(songId, seq), commentId }).then(
      () => true,
      (err: unknown) => {
        if (isDuplicateKey(err)) return false;
        throw err;
      },
    );

  /**
   * Claims the first free position from `proposed` on (another instance's `$inc` of the song can be lost,
   * read-modify-write, so the song may propose a taken one).
   */
  const claimFrom = async (songId: Types.ObjectId, proposed: number, commentId: Types.ObjectId): Promise<number> => {
    for (let seq = proposed; seq < proposed + MAX_CLAIM_ATTEMPTS; seq++) if (await claimIfFree(songId, seq, commentId)) return seq;
    throw new Error(`no free position in ${MAX_CLAIM_ATTEMPTS} past ${proposed}`);
  };

  /**
   * This process claimed `known` last and no other instance shares its queue: the next position is claimed while the
   * song is read, and the song's counters move once readers have been told (a page read meanwhile finds the position
   * past the song's lastSeq: lastPosition), so readers wait for one write less. Null when another writer moved the
   * song on meanwhile (an instance without a shared queue, an import): then the position claimed here is left to the
   * comment it names, which is written where the song proposes (readers take a position's comment only when it was
   * written there), so no position under the song's last is ever filled late.
   */
  const insertAfterKnown = async (row: NewRow, known: number, hooks: InsertHooks): Promise<CommentRecord | null> => {
    const [checked, held, claimed] = await Promise.allSettled([
      hooks.before?.(),
      Songs.findOne({ _id: row.songId }, { lastSeq: 1 }).lean<Pick<SongRecord, 'lastSeq'>>(),
      claimIfFree(row.songId, known + 1, row._id),
    ]);
    if (checked.status === 'rejected') throw checked.reason;
    if (held.status === 'rejected') throw held.reason;
    if (claimed.status === 'rejected') throw claimed.reason;
    if (!held.value) throw new NotFound('No such song.');
    if (!claimed.value || held.value.lastSeq !== known) return null;
    // A failed insert leaves the position empty and has moved no counter.
    const record = await insertRecord(Comments, { ...row, seq: known + 1 });
    top.move(row.songId, String(row._id), record.score ?? 0);
    await hooks.announce?.(record);
    try {
      await Songs.updateOne({ _id: row.songId }, claimUpdate(row, row.createdAt, record.seq));
    } catch (err) {
      hooks.countsNotMoved?.(err);
    }
    return record;
  };

  /** The song's counters move first and propose the position; they move back if the comment is not stored. */
  const insertWhereProposed = async (row: NewRow, hooks: Pick<InsertHooks, 'before'>): Promise<CommentRecord> => {
    await hooks.before?.();
    let counted = false;
    try {
      const hint = await Songs.findOneAndUpdate({ _id: row.songId }, claimUpdate(row, row.createdAt), { new: true }).lean<Pick<SongRecord, 'lastSeq'>>();
      if (!hint) throw new NotFound('No such song.');
      counted = row.status === 'visible';
      const seq = await claimFrom(row.songId, hint.lastSeq, row._id);
      if (seq !== hint.lastSeq) await Songs.updateOne({ _id: row.songId }, { $max: { lastSeq: seq } });
      const record = await insertRecord(Comments, { ...row, seq });
      top.move(row.songId, String(row._id), record.score ?? 0);
      return record;
    } catch (err) {
      // A claimed position stays empty (readers skip it); the count goes back if it moved.
      if (counted) await Songs.updateOne({ _id: row.songId }, { $inc: { commentCount: -1 } });
      throw err;
    }
  };

  /**
   * The song's lastSeq says so unless two instances' `$max` overwrote each other: positions just past it are
   * looked up too (one lookup when nothing was lost).
   */
  const lastPosition = async (song: SongRef) => {
    let last = song.lastSeq ?? 0;
    while (await Positions.exists({ _id: threadPositionId(song._id, last + 1) })) last++;
    return last;
  };

  return {
    kind: 'embedded',
    soleInstance: !queue.acrossInstances,
    lastPosition,

    async readPage(song, from, dir, want, statuses) {
      const last = song.lastSeq ?? 0;
      const thread = await records.open(String(song._id));
      const found: CommentRecord[] = [];
      // Ask for as many positions as the page still needs; holes (other statuses, failed posts) ask again.
      for (let edge = from; found.length < want; ) {
        const seqs: number[] = [];
        for (let seq = edge + dir; seqs.length < want - found.length && seq >= 1 && seq <= last; seq += dir) seqs.push(seq);
        if (!seqs.length) break;
        edge = seqs[seqs.length - 1];
        const ids = await thread.positions(seqs, positionsIn(song._id));
        const placed = seqs.flatMap((seq, i) => (ids[i] === null ? [] : [{ seq, id: ids[i]! }]));
        const rows = await thread.comments(placed.map((p) => p.id), commentsById);
        // A position's comment is read there only if it was written there: a guessed position left behind names a
        // comment written further on (insertAtNextPosition).
        rows.forEach((row, i) => {
          if (row && row.seq === placed[i].seq && row.songId.equals(song._id) && statuses.includes(row.status)) found.push(row);
        });
      }
      return found;
    },

    async readTop(song, want, after, statuses) {
      const thread = await records.open(String(song._id));
      const found: CommentRecord[] = [];
      let mark: Ranked | undefined = after ?? undefined;
      // Comments of other statuses are in the order too: skip them and ask for more.
      while (found.length < want) {
        const ranked = await top.ids(song._id, want - found.length, mark);
        if (!ranked.length) break;
        const rows = await thread.comments(ranked.map((r) => r.id), commentsById);
        for (const row of rows) if (row && statuses.includes(row.status)) found.push(row);
        mark = ranked[ranked.length - 1];
      }
      return found;
    },

    async comments(song, ids) {
      if (!ids.length) return new Map();
      const thread = await records.open(String(song._id));
      const unique = [...new Set(ids.map(String))];
      const rows = await thread.comments(unique, commentsById);
      return new Map(rows.flatMap((c) => (c && c.songId.equals(song._id) ? [[String(c._id), c] as const] : [])));
    },

    insertAtNextPosition(song, fields: NewComment, idemKey, _id, hooks = {}) {
      // Taking the position and writing the comment happen in one turn per thread, so comments reach the thread
      // in position order: a reader paging forward never passes a position that is filled later.
      return queue.run(`song:${song._id}`, async () => {
        const thread = String(song._id);
        const row: NewRow = { _id, songId: song._id, createdAt: new Date(), idemKey, ...fields };
        // Forgotten until this claim has succeeded: after a failure the next one asks the song.
        const known = lastClaimed?.get(thread)?.seq;
        lastClaimed?.delete(thread);
        const record = (known !== undefined && (await insertAfterKnown(row, known, hooks))) || (await insertWhereProposed(row, known === undefined ? hooks : {}));
        lastClaimed?.set(thread, { seq: record.seq, bytes: 1 });
        await hooks.afterInsert?.(record);
        return record;
      });
    },

    moveCounters: (key, move) => queue.run(key, move),
    noteScore: (songId, commentId, score) => top.move(songId, commentId, score),
  };
}
