// Threads: page, post, edit, remove, vote, flag. One function per user action: check, write, count, announce.
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { ThreadQuery } from '../../shared/schemas';
import type { CommentDTO, CommentPage, UserDTO } from '../../shared/types';
import { can, type Action, type CommentTarget } from '../accounts/policy';
import type { ForumDeps } from '../deps';
import { HttpError, notFound } from '../http/errors';
import { decodeCursor, encodeCursor } from '../songs/cursor';
import { songModel, type SongRecord } from '../songs/model';
import { threadIndexes } from '../songs/indexes';
import { findSongBySlug, isDuplicateKey } from '../songs/service';
import { oneAtATime } from './counters';
import { commentModel, flagModel, voteModel, type CommentRecord } from './model';

export interface Poster {
  user: UserDTO | null;
  ip: string;
  guest?: { name: string; location?: string };
}

export function toCommentDTO(c: CommentRecord): CommentDTO {
  const removed = c.status === 'removed';
  return {
    id: String(c._id),
    songId: String(c.songId),
    parentId: c.parentId ? String(c.parentId) : null,
    author: { name: c.author.name, location: c.author.location ?? null, userId: c.author.userId ?? null },
    // A removed comment stays as a placeholder so its replies keep their parent; its text is not shown.
    body: removed ? '' : c.body,
    createdAt: c.createdAt.toISOString(),
    editedAt: c.editedAt ? c.editedAt.toISOString() : null,
    score: c.score ?? 0,
    replyCount: c.replyCount ?? 0,
    status: c.status,
    featured: !!c.featured,
    clientId: c.clientId ?? null,
  };
}

const policyContext = (deps: ForumDeps) => ({ now: new Date(), editWindowMs: deps.config.editWindowMs, guestPosting: deps.config.guestPosting });
const target = (c: CommentRecord): CommentTarget => ({ authorUserId: c.author.userId ?? null, createdAt: c.createdAt, status: c.status });

/** 401 for a reader without a session, 403 for a member the policy refuses. */
function authorise(deps: ForumDeps, user: UserDTO | null, action: Action, comment?: CommentRecord, refusal = 'You may not do that.'): void {
  if (can(user, action, policyContext(deps), comment && target(comment))) return;
  if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first.');
  throw new HttpError(403, 'FORBIDDEN', refusal);
}

const oid = (id: string) => new mongoose.Types.ObjectId(id);
const isObjectId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id);

async function findComment(deps: ForumDeps, id: string): Promise<CommentRecord> {
  if (!isObjectId(id)) throw new HttpError(400, 'VALIDATION', 'id: is not a valid id');
  const c = await commentModel(deps.db.conn).findOne({ _id: oid(id) }).lean<CommentRecord>();
  if (!c) throw notFound('No such comment.');
  return c;
}

async function slugOf(deps: ForumDeps, songId: unknown): Promise<string> {
  const song = await songModel(deps.db.conn).findOne({ _id: songId }, { slug: 1 }).lean<Pick<SongRecord, 'slug'>>();
  return song?.slug ?? '';
}

// ---- Paging ----------------------------------------------------------------------------------------------

/** The thread's comments readers see: visible ones and the placeholders of removed ones (pending ones wait for a moderator). */
const LISTED = ['visible', 'removed'];

interface Ordering {
  sort: Record<string, 1 | -1>;
  key: (c: CommentRecord) => number;
  /** Filter for the items after a cursor of this ordering. */
  after: (k: number, id: mongoose.Types.ObjectId) => Record<string, unknown>[];
}

const gt = (v: unknown) => mongoose.trusted({ $gt: v });
const lt = (v: unknown) => mongoose.trusted({ $lt: v });

const ORDERINGS: Record<ThreadQuery['sort'], Ordering> = {
  oldest: {
    sort: { createdAt: 1, _id: 1 },
    key: (c) => c.createdAt.getTime(),
    after: (k, id) => [{ createdAt: gt(new Date(k)) }, { createdAt: new Date(k), _id: gt(id) }],
  },
  newest: {
    sort: { createdAt: -1, _id: -1 },
    key: (c) => c.createdAt.getTime(),
    after: (k, id) => [{ createdAt: lt(new Date(k)) }, { createdAt: new Date(k), _id: lt(id) }],
  },
  // Scores move while a reader pages; a comment whose score changes meanwhile may show twice or be passed over.
  top: {
    sort: { score: -1, _id: 1 },
    key: (c) => c.score,
    after: (k, id) => [{ score: lt(k) }, { score: k, _id: gt(id) }],
  },
};

/**
 * One page of a thread, flat (replies carry parentId). `after` = a comment id: the visible comments created
 * after it, oldest first, `limit` at a time, with a cursor for the rest. `total` = visible + removed comments.
 */
export async function listThread(deps: ForumDeps, slug: string, query: ThreadQuery): Promise<CommentPage> {
  const song = await findSongBySlug(deps, slug);
  const Comments = commentModel(deps.db.conn);
  const filter: Record<string, unknown> = { songId: song._id };
  let sortName: ThreadQuery['sort'] = query.sort;
  if (query.after) {
    const from = await Comments.findOne({ _id: oid(query.after), songId: song._id }, { createdAt: 1 }).lean<Pick<CommentRecord, '_id' | 'createdAt'>>();
    if (!from) throw new HttpError(400, 'INVALID_AFTER', 'after: no such comment in this thread.');
    sortName = 'oldest';
    filter.status = 'visible';
    filter.$or = ORDERINGS.oldest.after(from.createdAt.getTime(), from._id);
  } else {
    filter.status = mongoose.trusted({ $in: LISTED });
  }
  const ordering = ORDERINGS[sortName];
  const orderTag = query.after ? `after:${sortName}` : sortName;
  if (query.cursor) {
    const c = decodeCursor(query.cursor, orderTag);
    const cursorFilter = { $or: ordering.after(c.k, oid(c.i)) };
    if (filter.$or) {
      filter.$and = [{ $or: filter.$or }, cursorFilter];
      delete filter.$or;
    } else Object.assign(filter, cursorFilter);
  }
  const rows = await Comments.find(filter).sort(ordering.sort).limit(query.limit + 1).lean<CommentRecord[]>();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toCommentDTO),
    nextCursor: more && last ? encodeCursor({ o: orderTag, k: ordering.key(last), i: String(last._id) }) : null,
    total: song.commentCount ?? 0,
  };
}

// ---- Posting ---------------------------------------------------------------------------------------------

const posterKey = (p: Poster) => (p.user ? `user:${p.user.id}` : `ip:${p.ip}`);

function authorOf(deps: ForumDeps, poster: Poster): CommentRecord['author'] {
  if (poster.user) {
    if (poster.guest) throw new HttpError(400, 'VALIDATION', 'author: is for guests only; members post under their own name');
    return { name: poster.user.displayName || poster.user.username, location: poster.user.location ?? null, userId: poster.user.id };
  }
  if (!can(null, 'comment.post', policyContext(deps))) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in to post.');
  if (!poster.guest?.name?.trim()) throw new HttpError(400, 'VALIDATION', 'author.name: is required for guests');
  return { name: poster.guest.name.trim(), location: poster.guest.location?.trim() || null, userId: null };
}

export async function postComment(
  deps: ForumDeps,
  poster: Poster,
  slug: string,
  input: { body: string; parentId?: string | null; clientId?: string },
): Promise<{ comment: CommentDTO; created: boolean }> {
  const author = authorOf(deps, poster);
  authorise(deps, poster.user, 'comment.post');
  const [song] = await Promise.all([findSongBySlug(deps, slug), threadIndexes(deps.db.conn)]);
  const Comments = commentModel(deps.db.conn);
  const idemKey = input.clientId ? `${song._id}:${posterKey(poster)}:${input.clientId}` : `once:${randomUUID()}`;

  // A repeat of the same clientId (a retry after a lost answer) is answered before the rate limit counts it.
  if (input.clientId) {
    const earlier = await Comments.findOne({ idemKey }).lean<CommentRecord>();
    if (earlier) return { comment: toCommentDTO(earlier), created: false };
  }
  await deps.limits.posting(posterKey(poster));
  const body = input.body.trim();
  if (!body || body.length > 5000) throw new HttpError(400, 'VALIDATION', 'body: must be 1-5000 characters');
  const parent = input.parentId ? await parentIn(deps, song, input.parentId) : null;

  let record: CommentRecord;
  try {
    const created = await Comments.create({
      songId: song._id,
      parentId: parent?._id ?? null,
      author,
      body,
      createdAt: new Date(),
      clientId: input.clientId ?? null,
      idemKey,
    });
    record = created.toObject() as CommentRecord;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Two copies of the same post raced: the first one stored wins, the other gets it back.
    const earlier = await Comments.findOne({ idemKey }).lean<CommentRecord>();
    if (!earlier) throw err;
    return { comment: toCommentDTO(earlier), created: false };
  }
  await countNewComment(deps, record);
  const comment = toCommentDTO(record);
  deps.bus.emit('comment.created', { comment: { ...comment, songSlug: song.slug }, songSlug: song.slug });
  return { comment, created: true };
}

async function parentIn(deps: ForumDeps, song: SongRecord, parentId: string): Promise<CommentRecord> {
  const parent = isObjectId(parentId) ? await commentModel(deps.db.conn).findOne({ _id: oid(parentId) }).lean<CommentRecord>() : null;
  if (!parent || !parent.songId.equals(song._id) || parent.status === 'pending') {
    throw new HttpError(400, 'INVALID_PARENT', 'parentId: no such comment in this thread.');
  }
  return parent;
}

/** Counters move by atomic $inc/$max right after the write, never by recounting. */
async function countNewComment(deps: ForumDeps, c: CommentRecord): Promise<void> {
  const conn = deps.db.conn;
  const updates: Promise<unknown>[] = [
    oneAtATime(conn, `song:${c.songId}`, () =>
      songModel(conn).updateOne({ _id: c.songId }, { $inc: { commentCount: 1 }, $max: { lastCommentAt: c.createdAt, activityAt: c.createdAt } }),
    ),
  ];
  const parentId = c.parentId;
  if (parentId) updates.push(oneAtATime(conn, `comment:${parentId}`, () => commentModel(conn).updateOne({ _id: parentId }, { $inc: { replyCount: 1 } })));
  await Promise.all(updates);
}

// ---- Editing and removal -----------------------------------------------------------------------------------

export async function editComment(deps: ForumDeps, user: UserDTO | null, id: string, input: { body: string }): Promise<CommentDTO> {
  const c = await findComment(deps, id);
  const refusal = c.status === 'removed' ? 'A removed comment cannot be edited.' : 'Only its author can edit a comment, within the edit window.';
  authorise(deps, user, 'comment.edit', c, refusal);
  const body = input.body.trim();
  if (!body || body.length > 5000) throw new HttpError(400, 'VALIDATION', 'body: must be 1-5000 characters');
  const updated = await commentModel(deps.db.conn)
    .findOneAndUpdate({ _id: c._id, status: c.status }, { $set: { body, editedAt: new Date() } }, { new: true })
    .lean<CommentRecord>();
  if (!updated) throw new HttpError(409, 'CONFLICT', 'The comment changed meanwhile; reload it.');
  const comment = toCommentDTO(updated);
  deps.bus.emit('comment.updated', { comment, songSlug: await slugOf(deps, c.songId) });
  return comment;
}

/**
 * Leaves a placeholder (status "removed", body "" in the API) so replies keep their parent. Counters are not
 * decremented: the placeholder still stands in the thread and its replies still count. Removing twice is a no-op.
 */
export async function removeComment(deps: ForumDeps, user: UserDTO | null, id: string): Promise<void> {
  const c = await findComment(deps, id);
  if (c.status === 'removed') {
    authorise(deps, user, 'comment.remove', { ...c, status: 'visible' }, 'Only its author or a moderator can remove a comment.');
    return;
  }
  authorise(deps, user, 'comment.remove', c, 'Only its author or a moderator can remove a comment.');
  const res = await commentModel(deps.db.conn).updateOne(
    { _id: c._id, status: c.status },
    { $set: { status: 'removed', removedAt: new Date(), removedBy: user!.id } },
  );
  if (!res.modifiedCount) return;
  deps.bus.emit('comment.removed', { id: String(c._id), songId: String(c.songId), songSlug: await slugOf(deps, c.songId) });
}

// ---- Votes and flags -------------------------------------------------------------------------------------

/** One vote per member: the vote record holds the member's current value and the score moves by the change. */
export async function voteComment(deps: ForumDeps, user: UserDTO | null, id: string, value: 1 | 0 | -1): Promise<{ id: string; score: number }> {
  const c = await findComment(deps, id);
  authorise(deps, user, 'comment.vote', c, 'Removed comments cannot be voted on.');
  const { score, changed } = await oneAtATime(deps.db.conn, `comment:${c._id}`, async () => {
    const delta = value - (await swapVote(deps, c._id, user!.id, value));
    const updated = delta
      ? await commentModel(deps.db.conn).findOneAndUpdate({ _id: c._id }, { $inc: { score: delta } }, { new: true }).lean<CommentRecord>()
      : await commentModel(deps.db.conn).findOne({ _id: c._id }).lean<CommentRecord>();
    return { score: updated?.score ?? c.score + delta, changed: delta !== 0 };
  });
  if (changed) deps.bus.emit('comment.voted', { id: String(c._id), score, songSlug: await slugOf(deps, c.songId) });
  return { id: String(c._id), score };
}

/** Sets the member's vote and answers the value it had before (0 when there was none). */
async function swapVote(deps: ForumDeps, commentId: mongoose.Types.ObjectId, userId: string, value: number): Promise<number> {
  await threadIndexes(deps.db.conn);
  const Votes = voteModel(deps.db.conn);
  for (let attempt = 0; ; attempt++) {
    try {
      const prev = await Votes.findOneAndUpdate({ commentId, userId }, { $set: { value, updatedAt: new Date() } }, { upsert: true, new: false }).lean<{ value: number }>();
      return prev?.value ?? 0;
    } catch (err) {
      // Two first votes of one member raced on the unique key: the second attempt finds the first.
      if (!isDuplicateKey(err) || attempt > 1) throw err;
    }
  }
}

/** Stored for moderators, one per member per comment (a second flag updates the reason). */
export async function flagComment(deps: ForumDeps, user: UserDTO | null, id: string, input: { reason: string }): Promise<void> {
  const c = await findComment(deps, id);
  authorise(deps, user, 'comment.flag', c, 'Removed comments cannot be flagged.');
  await threadIndexes(deps.db.conn);
  const Flags = flagModel(deps.db.conn);
  let prev: unknown = null;
  try {
    prev = await Flags.findOneAndUpdate(
      { commentId: c._id, userId: user!.id },
      { $set: { reason: input.reason.trim() }, $setOnInsert: { songId: c.songId, createdAt: new Date() } },
      { upsert: true, new: false },
    ).lean();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    prev = true;
  }
  if (!prev) await oneAtATime(deps.db.conn, `comment:${c._id}`, () => commentModel(deps.db.conn).updateOne({ _id: c._id }, { $inc: { flagCount: 1 } }));
}
