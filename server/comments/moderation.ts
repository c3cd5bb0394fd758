// What the comment services ask of moderation, as one interface: comments/ never imports moderation/, which
// implements it (moderation/port.ts) and is plugged in by forum.ts. So a post is screened, a removal moves
// through the transitions table, a flag can hold, and a page gets its picks and its viewer's extras, while the
// dependency runs one way: moderation -> comments.
import type { Types } from 'mongoose';
import type { CommentDTO, CommentPage, UserDTO } from '../../shared/types';
import type { CommentRecord } from './model';

/** A status change of the one transitions table (moderation/transitions.ts). */
export type Transition = 'approve' | 'hold' | 'reject' | 'remove' | 'restore';

export interface MoveOptions {
  /** Who does it: a member (author or moderator), or null for the forum itself (members' flags). */
  by: Pick<UserDTO, 'id'> | null;
  /** For removals: as the comment's author, or as a moderator. */
  as?: 'author' | 'moderator';
  /** More fields to set with the status (approval clears why it was held). */
  set?: Record<string, unknown>;
  /** Dismisses the comment's flags (its flagCount to 0) with the status, in the same turn of the comment's lock (approval). */
  dismissFlags?: boolean;
}

/** A new comment as the pipeline judges it. */
export interface Submission {
  body: string;
  /** null for a guest. */
  userId: string | null;
  /** A guest's name (as cleaned by the schema). */
  guestName?: string | null;
  /** A guest's page form: the honeypot's value and when the form was rendered (null: not one of our forms). */
  form?: { trap: string; renderedAt: number | null } | null;
}

export interface Screening {
  status: 'visible' | 'pending';
  /** Why it is held (every holding phase's reason), empty when visible. */
  heldFor: string[];
}

/** The positions a page of the posting order covers: `from` (exclusive) towards `to` (inclusive), going `dir`. */
export interface Span {
  songId: Types.ObjectId;
  dir: 1 | -1;
  from: number;
  to: number;
}

/** A page as every reader sees it, and the stretch of the thread it covers (null for top and catch-up pages). */
export interface SharedPage {
  page: CommentPage;
  span: Span | null;
}

export interface CommentModeration {
  /** Forbidden (BANNED) for a banned member: posts, votes, flags and their own edits. */
  refuseBanned(user: UserDTO | null): Promise<void>;
  /** Runs the pipeline on a new comment: throws its refusal, or answers visible or held. */
  screen(s: Submission): Promise<Screening>;
  /** Throws when a moderator's edit brings in what a post could not have (banned words). */
  screenEdit(body: string): void;
  /** Runs an author's edit through the pipeline as a post: throws its refusal, or answers visible or held. */
  screenAuthorEdit(s: Pick<Submission, 'body' | 'userId'>): Promise<Screening>;
  /** A new comment was stored: moderation's bookkeeping (tallies, the queue for a held one). Never throws. */
  noteNew(c: CommentRecord): Promise<void>;
  /** Moves a comment's status by the transitions table, with its counters, queue and announcements. */
  move(c: CommentRecord, t: Transition, opts: MoveOptions): Promise<CommentRecord>;
  /** A comment's flags changed: it is held once enough members flagged it, else the queue follows. */
  flagsChanged(c: CommentRecord): Promise<void>;
  /** A moderator's act on someone else's comment, for the log. */
  logAct(actor: UserDTO, action: 'comment.edit' | 'comment.remove', commentId: string): Promise<void>;
  /** The thread's editor's picks, shown on its first page. */
  picks(songId: Types.ObjectId): Promise<CommentDTO[]>;
  /** The page as this viewer may see it: their own held comments, and for moderators held comments and flags. */
  forViewer(shared: SharedPage, viewer: UserDTO | null): Promise<CommentPage>;
  /**
   * Members whose held or rejected comments are in the thread: forViewer shows them more than the shared page (a
   * member's page put together from kept parts is for everyone else, web/songPages.tsx).
   */
  heldAuthors(songId: Types.ObjectId): Promise<ReadonlySet<string>>;
}
