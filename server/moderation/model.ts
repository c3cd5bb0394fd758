// The moderation domain's collections: saved settings, the queue, the log, bans, picks and members' tallies.
// Each is small beside the comments (FerretDB scans for ranges, sorts and fields no index leads, so the queue's tabs,
// counts and the picks read these, never the whole comments collection).
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ModerationSettings, QueueStatus } from '../../shared/schemas';

const modelOf = <T>(conn: Connection, name: string, schema: Schema<T>): Model<T> => (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);

/** One document, `_id: "moderation"`, holding what an admin saved. */
export interface SettingsRecord extends ModerationSettings {
  _id: string;
  updatedAt: Date;
  /** One-off upkeep done on this database (the visible-only recount of comment counts). */
  upkeep?: string[];
}
const settingsSchema = new Schema<SettingsRecord>(
  {
    _id: { type: String, required: true },
    premoderation: { type: String, enum: ['off', 'new', 'all'] },
    guestPosting: Boolean,
    bannedWords: [String],
    suspectWords: [String],
    maxLinks: Number,
    flagThreshold: Number,
    updatedAt: Date,
    upkeep: [String],
  },
  { versionKey: false, collection: 'settings' },
);
export const settingsModel = (conn: Connection) => modelOf(conn, 'Settings', settingsSchema);

/** A comment waiting in (or kept by) a queue tab: `_id` is the comment's id. */
export interface QueueRecord {
  _id: Types.ObjectId;
  queue: QueueStatus;
  songId: Types.ObjectId;
  authorId: string | null;
  /** The comment's creation time: tabs list oldest first. */
  at: Date;
}
const queueSchema = new Schema<QueueRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    queue: { type: String, required: true },
    songId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'moderationqueue' },
);
queueSchema.index({ queue: 1, at: 1, _id: 1 });
// A thread's held and rejected comments (every member page and moderator view of it asks): the thread's entries alone.
queueSchema.index({ songId: 1, queue: 1 });
export const queueModel = (conn: Connection) => modelOf(conn, 'ModerationQueue', queueSchema);

export interface LogRecord {
  _id: Types.ObjectId;
  at: Date;
  moderator: { id: string; username: string };
  action: string;
  target: { kind: 'comment' | 'user' | 'settings'; id: string };
  reason: string | null;
}
const logSchema = new Schema<LogRecord>(
  {
    at: { type: Date, required: true },
    moderator: { id: { type: String, required: true }, username: { type: String, required: true } },
    action: { type: String, required: true },
    target: { kind: { type: String, required: true }, id: { type: String, required: true } },
    reason: { type: String, default: null },
  },
  { versionKey: false, collection: 'moderationlog' },
);
export const logModel = (conn: Connection) => modelOf(conn, 'ModerationLog', logSchema);

/** A member's ban: `_id` is their user id, so every post, vote and flag checks it with one indexed lookup. */
export interface BanRecord {
  _id: string;
  reason: string;
  until: Date | null;
  by: string;
  at: Date;
}
const banSchema = new Schema<BanRecord>(
  {
    _id: { type: String, required: true },
    reason: { type: String, required: true },
    until: { type: Date, default: null },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'bans' },
);
export const banModel = (conn: Connection) => modelOf(conn, 'Ban', banSchema);

/** An editor's pick: `_id` is the comment's id. */
export interface PickRecord {
  _id: Types.ObjectId;
  songId: Types.ObjectId;
  at: Date;
}
const pickSchema = new Schema<PickRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    songId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'picks' },
);
pickSchema.index({ at: -1, _id: -1 });
// A thread's picks (every first page of it carries them): the thread's alone.
pickSchema.index({ songId: 1, at: -1, _id: -1 });
export const pickModel = (conn: Connection) => modelOf(conn, 'Pick', pickSchema);

/** A member's comments by status (`_id` = user id): premoderation "new" and the queue's author history read it. */
export interface TallyRecord {
  _id: string;
  visible: number;
  rejected: number;
  removed: number;
}
const tallySchema = new Schema<TallyRecord>(
  {
    _id: { type: String, required: true },
    visible: { type: Number, default: 0 },
    rejected: { type: Number, default: 0 },
    removed: { type: Number, default: 0 },
  },
  { versionKey: false, collection: 'membertallies' },
);
export const tallyModel = (conn: Connection) => modelOf(conn, 'MemberTally', tallySchema);

export const moderationModels = [settingsModel, queueModel, logModel, banModel, pickModel, tallyModel];
