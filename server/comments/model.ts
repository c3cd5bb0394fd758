// Comments, votes and flags, with the indexes the thread queries need.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { CommentStatus } from '../../shared/types';

export interface CommentRecord {
  _id: Types.ObjectId;
  songId: Types.ObjectId;
  parentId: Types.ObjectId | null;
  /** userId is the account id as a string (the accounts module owns its format). */
  author: { name: string; location: string | null; userId: string | null };
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  score: number;
  replyCount: number;
  status: CommentStatus;
  featured: boolean;
  clientId: string | null;
  /**
   * Makes posting idempotent: `SONG:POSTER:CLIENTID`, `import:HASH` for imported comments, or a random value
   * when no clientId was sent. Always present because FerretDB ignores `sparse` on unique indexes.
   */
  idemKey: string;
  /** Position in the thread (1, 2, ...), in posting order: the key thread pages and cursors follow. */
  seq: number;
  flagCount: number;
  removedAt: Date | null;
  /** The id of the member who removed it. */
  removedBy: string | null;
  /** A guest's post: sha256 of the secret its browser holds to edit or delete it within the edit window. */
  guestTokenHash?: string | null;
  /** Whether its author or a moderator removed it (older removals: see dto.ts). */
  removedAs?: 'author' | 'moderator' | null;
  /** Whether its author or a moderator edited it last. */
  editedBy?: 'author' | 'moderator' | null;
  /** Why the pipeline or members' flags held it (moderators see it in the queue). */
  heldFor?: string[];
}

const authorSchema = new Schema(
  {
    name: { type: String, required: true },
    location: { type: String, default: null },
    userId: { type: String, default: null },
  },
  { _id: false },
);

const commentSchema = new Schema<CommentRecord>(
  {
    songId: { type: Schema.Types.ObjectId, required: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    author: { type: authorSchema, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
    editedAt: { type: Date, default: null },
    score: { type: Number, default: 0 },
    replyCount: { type: Number, default: 0 },
    status: { type: String, enum: ['visible', 'removed', 'pending', 'rejected'], default: 'visible' },
    featured: { type: Boolean, default: false },
    clientId: { type: String, default: null },
    idemKey: { type: String, required: true },
    seq: { type: Number, required: true },
    flagCount: { type: Number, default: 0 },
    removedAt: { type: Date, default: null },
    removedBy: { type: String, default: null },
    guestTokenHash: { type: String, default: null },
    removedAs: { type: String, default: null },
    editedBy: { type: String, default: null },
    heldFor: { type: [String], default: undefined },
  },
  { versionKey: false },
);

commentSchema.index({ songId: 1, score: -1, _id: 1 });
commentSchema.index({ parentId: 1, seq: 1 });
// A member's comments, newest first (profiles), and the rewrite of their name.
commentSchema.index({ 'author.userId': 1, _id: -1 });
commentSchema.index({ idemKey: 1 }, { unique: true });
commentSchema.index({ songId: 1, seq: 1 }, { unique: true });

export const commentModel = (conn: Connection): Model<CommentRecord> =>
  (conn.models.Comment as Model<CommentRecord> | undefined) ?? conn.model<CommentRecord>('Comment', commentSchema);

/** One vote per member per comment; the comment's score moves by the change of value. */
export interface VoteRecord {
  /** `COMMENTID:USERID`: a member's marks on a page are one `_id` `$in`, from the index on either database. */
  _id: string;
  commentId: Types.ObjectId;
  userId: string;
  value: number;
  updatedAt: Date;
}
const voteSchema = new Schema<VoteRecord>(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true },
    value: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
voteSchema.index({ commentId: 1, userId: 1 }, { unique: true });

export const voteModel = (conn: Connection): Model<VoteRecord> =>
  (conn.models.Vote as Model<VoteRecord> | undefined) ?? conn.model<VoteRecord>('Vote', voteSchema);

/** One flag per member per comment, kept for moderators. */
export interface FlagRecord {
  /** `COMMENTID:USERID`, like votes. */
  _id: string;
  commentId: Types.ObjectId;
  songId: Types.ObjectId;
  userId: string;
  reason: string;
  createdAt: Date;
  /** A moderator dismissed it: it no longer counts (the member may flag again). */
  dismissed?: boolean;
}
const flagSchema = new Schema<FlagRecord>(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    songId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true },
    reason: { type: String, required: true },
    createdAt: { type: Date, required: true },
    dismissed: { type: Boolean, default: false },
  },
  { versionKey: false },
);
flagSchema.index({ commentId: 1, userId: 1 }, { unique: true });

export const flagModel = (conn: Connection): Model<FlagRecord> =>
  (conn.models.Flag as Model<FlagRecord> | undefined) ?? conn.model<FlagRecord>('Flag', flagSchema);

/**
 * Idempotency keys of posts (`SONG:POSTER:CLIENTID`, `import:HASH`): a reservation naming the comment id the post
 * will have, who reserved it and when. Keyed by _id so the check before a post is one indexed lookup on the
 * embedded database too. A reservation whose comment never appeared (its process died mid-post) is taken over by
 * the next retry once its owner is known gone or it is older than a post can take (comments/idempotency.ts).
 */
export interface PostKeyRecord {
  _id: string;
  commentId: Types.ObjectId | null;
  /** The thread, so a taken-over reservation can have its thread's counters checked. */
  songId: Types.ObjectId | null;
  /** `HOST:PID:BOOT`, the process that reserved it. */
  owner: string | null;
  createdAt: Date;
  /** Set once the comment was announced to readers: a repeat of a post that stored it but never said so announces it. */
  announced?: boolean;
}
const postKeySchema = new Schema<PostKeyRecord>(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, default: null },
    songId: { type: Schema.Types.ObjectId, default: null },
    owner: { type: String, default: null },
    createdAt: { type: Date, required: true },
    announced: { type: Boolean },
  },
  { versionKey: false },
);

export const postKeyModel = (conn: Connection): Model<PostKeyRecord> =>
  (conn.models.PostKey as Model<PostKeyRecord> | undefined) ?? conn.model<PostKeyRecord>('PostKey', postKeySchema);

/**
 * Thread positions: `SONGID:SEQ` names the comment at that position. On the embedded database, which serves only
 * `_id` lookups from an index, a page is one lookup per position and one per comment, whatever the depth or the
 * size of the collection. A position is claimed by inserting it: the unique _id settles a race between instances
 * atomically, which FerretDB's read-modify-write updates would not.
 */
export interface ThreadPositionRecord {
  _id: string;
  commentId: Types.ObjectId;
}
const threadPositionSchema = new Schema<ThreadPositionRecord>(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false },
);

export const threadPositionId = (songId: Types.ObjectId, seq: number) => `${songId}:${seq}`;

export const threadPositionModel = (conn: Connection): Model<ThreadPositionRecord> =>
  (conn.models.ThreadPosition as Model<ThreadPositionRecord> | undefined) ?? conn.model<ThreadPositionRecord>('ThreadPosition', threadPositionSchema);
