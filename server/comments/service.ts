// Threads: page, post, edit, remove, vote, flag. One function per user action: check, write, count, announce.
import { createHash, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { ThreadQuery } from '../../shared/schemas';
import type { CommentDTO, CommentPage, UserDTO } from '../../shared/types';
import { can, type Action, type CommentTarget } from '../accounts/policy';
import type { ForumDeps } from '../deps';
import { HttpError, notFound } from '../http/errors';
import { decodeCursor, encodeCursor, invalidCursor } from '../songs/cursor';
import { songModel, type SongRecord } from '../songs/model';
import { threadIndexes } from '../songs/indexes';
import { findSongBySlug, isDuplicateKey, songIdBySlug } from '../songs/service';
import { oneAtATime } from './counters';
import { moveInTop, topIds } from './top';
import { commentModel, flagModel, postKeyModel, threadPositionId, threadPositionModel, voteModel, type CommentRecord, type PostKeyRecord } from './model';

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

/**
 * One page of a thread, flat (replies carry parentId). oldest/newest follow thread positions (seq, posting order),
 * so pages neither repeat nor skip while comments arrive. `after` = a comment id: the visible comments posted
 * after it, oldest first, `limit` at a time, with a cursor for the rest. `total` = visible + removed comments.
 */
export async function listThread(deps: ForumDeps, slug: string, query: ThreadQuery): Promise<CommentPage> {
  const song = await findSongBySlug(deps, slug);
  if (deps.db.idLookupsOnly) song.lastSeq = await lastPosition(deps, song);
  if (query.sort === 'top' && !query.after) return listTop(deps, song, query);
  let tag: string = query.sort;
  let dir: 1 | -1 = query.sort === 'newest' ? -1 : 1;
  let from = dir === 1 ? 0 : (song.lastSeq ?? 0) + 1;
  let statuses = LISTED;
  if (query.after) {
    const mark = await commentModel(deps.db.conn).findOne({ _id: oid(query.after) }).lean<CommentRecord>();
    if (!mark || !mark.songId.equals(song._id)) throw new HttpError(400, 'INVALID_AFTER', 'after: no such comment in this thread.');
    [tag, dir, from, statuses] = ['after', 1, mark.seq, ['visible']];
  }
  if (query.cursor) {
    // A position inside the thread, or the request would walk positions that can never exist.
    from = decodeCursor(query.cursor, tag).k;
    if (from < 0 || from > (song.lastSeq ?? 0) + 1) throw invalidCursor();
  }
  const read = deps.db.idLookupsOnly ? readPositions : readWindow;
  const rows = await read(deps, song, from, dir, query.limit + 1, statuses);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toCommentDTO),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ o: tag, k: last.seq, i: String(last._id) }) : null,
    total: song.commentCount ?? 0,
  };
}

/** Up to `want` comments of `statuses` after thread position `from` (exclusive), in direction `dir`, in order. */
type ThreadRead = (
  deps: Pick<ForumDeps, 'db'>,
  song: Pick<SongRecord, '_id' | 'lastSeq'>,
  from: number,
  dir: 1 | -1,
  want: number,
  statuses: string[],
) => Promise<CommentRecord[]>;

/**
 * On MongoDB: a bounded window of positions (`seq` between from and from +/- want) over the (songId, seq) index,
 * sorted here; a window with holes (removed comments when only visible ones count, posts that failed after taking
 * a position) is widened.
 */
const readWindow: ThreadRead = async (deps, song, from, dir, want, statuses) => {
  const Comments = commentModel(deps.db.conn);
  const found: CommentRecord[] = [];
  let edge = from;
  // Until the window is full or the thread ends: a long run of holes widens the window (doubling, capped).
  for (let round = 0; found.length < want; round++) {
    if (dir === 1 ? edge >= (song.lastSeq ?? 0) : edge <= 1) break;
    const span = Math.min((want - found.length) * 2 ** round, 2000);
    const seq = dir === 1 ? { $gt: edge, $lte: edge + span } : { $lt: edge, $gte: edge - span };
    const rows = await Comments.find({ songId: song._id, seq: mongoose.trusted(seq), status: mongoose.trusted({ $in: statuses }) })
      .limit(span)
      .lean<CommentRecord[]>();
    found.push(...rows.sort((a, b) => dir * (a.seq - b.seq)));
    edge += dir * span;
  }
  return found.slice(0, want);
};

/**
 * The thread's last claimed position. The song's lastSeq says so on MongoDB; on FerretDB two instances' `$max` can
 * overwrite each other, so positions just past it are looked up too (one lookup when nothing was lost).
 */
async function lastPosition(deps: Pick<ForumDeps, 'db'>, song: Pick<SongRecord, '_id' | 'lastSeq'>): Promise<number> {
  const Positions = threadPositionModel(deps.db.conn);
  let last = song.lastSeq ?? 0;
  while (await Positions.exists({ _id: threadPositionId(song._id, last + 1) })) last++;
  return last;
}

/**
 * The same as readWindow on the embedded database, where any filter but `_id` scans the whole collection: the
 * thread's positions by _id, then their comments by _id, so every page costs the same at any depth.
 */
const readPositions: ThreadRead = async (deps, song, from, dir, want, statuses) => {
  const Positions = threadPositionModel(deps.db.conn);
  const Comments = commentModel(deps.db.conn);
  const last = song.lastSeq ?? 0;
  const found: CommentRecord[] = [];
  // Ask for as many positions as the page still needs; holes (removed or hidden comments, failed posts) ask again.
  for (let edge = from; found.length < want; ) {
    const seqs: number[] = [];
    for (let seq = edge + dir; seqs.length < want - found.length && seq >= 1 && seq <= last; seq += dir) seqs.push(seq);
    if (!seqs.length) break;
    edge = seqs[seqs.length - 1];
    const positions = await Promise.all(seqs.map((seq) => Positions.findOne({ _id: threadPositionId(song._id, seq) }).lean()));
    const rows = await Promise.all(positions.map((p) => (p ? Comments.findOne({ _id: p.commentId }).lean<CommentRecord>() : null)));
    for (const row of rows) if (row && row.songId.equals(song._id) && statuses.includes(row.status)) found.push(row);
  }
  return found;
};

/**
 * Highest score first, then oldest. Scores move while a reader pages, so a comment whose score changes meanwhile
 * may show twice or be passed over.
 */
async function listTop(deps: ForumDeps, song: SongRecord, query: ThreadQuery): Promise<CommentPage> {
  const after = query.cursor ? decodeCursor(query.cursor, 'top') : null;
  const rows = deps.db.idLookupsOnly ? await topFromMemory(deps, song, query.limit + 1, after) : await topFromIndex(deps, song, query.limit + 1, after);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toCommentDTO),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ o: 'top', k: last.score, i: String(last._id) }) : null,
    total: song.commentCount ?? 0,
  };
}

type TopMark = { k: number; i: string } | null;

/** MongoDB: the (songId, score, _id) index. */
async function topFromIndex(deps: ForumDeps, song: SongRecord, want: number, after: TopMark): Promise<CommentRecord[]> {
  const filter: Record<string, unknown> = { songId: song._id, status: mongoose.trusted({ $in: LISTED }) };
  if (after) filter.$or = [{ score: mongoose.trusted({ $lt: after.k }) }, { score: after.k, _id: mongoose.trusted({ $gt: oid(after.i) }) }];
  return commentModel(deps.db.conn).find(filter).sort({ score: -1, _id: 1 }).limit(want).lean<CommentRecord[]>();
}

/** FerretDB: the order kept in memory (top.ts), then the comments by _id. */
async function topFromMemory(deps: ForumDeps, song: SongRecord, want: number, after: TopMark): Promise<CommentRecord[]> {
  const ranked = await topIds(deps.db.conn, song._id, LISTED, want, after ? { score: after.k, id: after.i } : undefined);
  const rows = await Promise.all(ranked.map((r) => commentModel(deps.db.conn).findOne({ _id: oid(r.id) }).lean<CommentRecord>()));
  return rows.filter((c): c is CommentRecord => !!c && LISTED.includes(c.status));
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
  const body = input.body.trim();
  if (!body || body.length > 5000) throw new HttpError(400, 'VALIDATION', 'body: must be 1-5000 characters');
  const [songId] = await Promise.all([songIdBySlug(deps, slug), threadIndexes(deps.db.conn)]);
  const key = input.clientId ? `${songId}:${posterKey(poster)}:${input.clientId}` : null;
  const parent = input.parentId ? await parentIn(deps, songId, input.parentId) : null;

  const fields = { parentId: parent?._id ?? null, author, body, clientId: input.clientId ?? null };
  // A repeat of the same clientId (a retry after a lost answer) is answered before the rate limit counts it.
  const { record, created } = await insertThreadComment(deps, { _id: songId }, fields, key, () => deps.limits.posting(posterKey(poster)));
  const comment = toCommentDTO(record);
  if (created) deps.bus.emit('comment.created', { comment: { ...comment, songSlug: slug }, songSlug: slug });
  return { comment, created };
}

async function parentIn(deps: ForumDeps, songId: mongoose.Types.ObjectId, parentId: string): Promise<CommentRecord> {
  const parent = isObjectId(parentId) ? await commentModel(deps.db.conn).findOne({ _id: oid(parentId) }).lean<CommentRecord>() : null;
  if (!parent || !parent.songId.equals(songId) || parent.status === 'pending') {
    throw new HttpError(400, 'INVALID_PARENT', 'parentId: no such comment in this thread.');
  }
  return parent;
}

type NewComment = Pick<CommentRecord, 'parentId' | 'author' | 'body' | 'clientId'>;

/**
 * Stores a comment at the thread's next position, once per idempotency key: the key is reserved first (a unique
 * _id naming the comment's id-to-be), then `beforeWrite` runs (the rate limit: repeats never reach it), then the
 * position is taken, the counters move with it, and the comment is written.
 */
export async function insertThreadComment(
  deps: Pick<ForumDeps, 'db'> & Partial<Pick<ForumDeps, 'logger'>>,
  song: Pick<SongRecord, '_id'>,
  fields: NewComment,
  key: string | null,
  beforeWrite?: () => Promise<void>,
): Promise<{ record: CommentRecord; created: boolean }> {
  const conn = deps.db.conn;
  const commentId = new mongoose.Types.ObjectId();
  if (key) {
    try {
      await postKeyModel(conn).create({ _id: key, commentId, createdAt: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // A repeat, or the same post racing in on another request: answer with the comment it stored.
      const earlier = await earlierPost(deps, key);
      if (earlier) return { record: earlier, created: false };
      throw new HttpError(409, 'CONFLICT', 'This post is still being stored; try again in a moment.');
    }
  }
  let record: CommentRecord;
  try {
    await beforeWrite?.();
    record = await storeAtNextPosition(deps, song, fields, key ?? `once:${randomUUID()}`, commentId);
  } catch (err) {
    // Release the key so a retry can post; if even that fails, a retry waits out earlierPost and gets 409.
    if (key) await postKeyModel(conn).deleteOne({ _id: key }).catch(() => undefined);
    throw err;
  }
  moveInTop(conn, record.songId, String(record._id), record.score ?? 0);
  const parentId = record.parentId;
  if (parentId) {
    // The comment is stored: a failed count must not turn its post into an error (nor stop its broadcast).
    await oneAtATime(conn, `comment:${parentId}`, () => commentModel(conn).updateOne({ _id: parentId }, { $inc: { replyCount: 1 } })).catch((err) =>
      deps.logger?.warn({ err, parentId: String(parentId) }, 'reply count not updated'),
    );
  }
  return { record, created: true };
}

async function storeAtNextPosition(
  deps: Pick<ForumDeps, 'db'>,
  song: Pick<SongRecord, '_id'>,
  fields: NewComment,
  idemKey: string,
  _id: mongoose.Types.ObjectId,
): Promise<CommentRecord> {
  const conn = deps.db.conn;
  const Songs = songModel(conn);
  // Taking the position and writing the comment happen in one turn per song (see counters.ts), so comments reach
  // the thread in position order: a reader paging forward never passes a position that is filled later.
  return oneAtATime(conn, `song:${song._id}`, async () => {
    const createdAt = new Date();
    // Counters move with the position.
    const hint = await Songs.findOneAndUpdate(
      { _id: song._id },
      { $inc: { lastSeq: 1, commentCount: 1 }, $max: { lastCommentAt: createdAt, activityAt: createdAt } },
      { new: true },
    ).lean<SongRecord>();
    if (!hint) throw notFound('No such song.');
    // The counter proposes a position; inserting it under its unique _id claims it. On MongoDB the proposal is
    // always free. On FerretDB another instance's $inc can be lost (its updates are read-modify-write), so a taken
    // position moves on to the next free one.
    let seq = hint.lastSeq;
    try {
      for (let attempt = 0; ; attempt++, seq++) {
        try {
          await threadPositionModel(conn).create({ _id: threadPositionId(song._id, seq), commentId: _id });
          break;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 1000) throw err;
        }
      }
      if (seq !== hint.lastSeq) await Songs.updateOne({ _id: song._id }, { $max: { lastSeq: seq } });
      const created = await commentModel(conn).create({ _id, songId: song._id, seq, createdAt, idemKey, ...fields });
      return created.toObject() as CommentRecord;
    } catch (err) {
      // A claimed position stays empty (readers skip it); the count goes back.
      await Songs.updateOne({ _id: song._id }, { $inc: { commentCount: -1 } });
      throw err;
    }
  });
}

/**
 * The comment an idempotency key produced; waits briefly while its first request is still storing it. Null when
 * the key is gone (that request failed and released it) or its comment never appeared.
 */
async function earlierPost(deps: Pick<ForumDeps, 'db'>, key: string): Promise<CommentRecord | null> {
  const conn = deps.db.conn;
  const pk = await postKeyModel(conn).findOne({ _id: key }).lean<PostKeyRecord>();
  if (!pk?.commentId) return null;
  for (let wait = 0; wait < 40; wait++) {
    const comment = await commentModel(conn).findOne({ _id: pk.commentId }).lean<CommentRecord>();
    if (comment) return comment;
    if (!(await postKeyModel(conn).exists({ _id: key }))) return null;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

/** Adds an imported page's comments not already there (keyed by a hash of slug, name and text); answers how many. */
export async function importComments(deps: Pick<ForumDeps, 'db'>, song: Pick<SongRecord, '_id' | 'slug'>, comments: { name: string; location: string | null; body: string }[]): Promise<number> {
  let added = 0;
  for (const c of comments) {
    const key = 'import:' + createHash('sha256').update(`${song.slug}\u0000${c.name}\u0000${c.body}`).digest('base64url');
    const fields = { parentId: null, author: { name: c.name, location: c.location, userId: null }, body: c.body, clientId: null };
    if ((await insertThreadComment(deps, song, fields, key)).created) added++;
  }
  return added;
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
  if (changed) moveInTop(deps.db.conn, c.songId, String(c._id), score);
  if (changed) deps.bus.emit('comment.voted', { id: String(c._id), score, songSlug: await slugOf(deps, c.songId) });
  return { id: String(c._id), score };
}

/** Sets the member's vote and answers the value it had before (0 when there was none). */
async function swapVote(deps: ForumDeps, commentId: mongoose.Types.ObjectId, userId: string, value: number): Promise<number> {
  await threadIndexes(deps.db.conn);
  const Votes = voteModel(deps.db.conn);
  for (let attempt = 0; ; attempt++) {
    try {
      const prev = await Votes.findOneAndUpdate(
        { _id: `${commentId}:${userId}` },
        { $set: { value, updatedAt: new Date() }, $setOnInsert: { commentId, userId } },
        { upsert: true, new: false },
      ).lean<{ value: number }>();
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
      { _id: `${c._id}:${user!.id}` },
      { $set: { reason: input.reason.trim() }, $setOnInsert: { commentId: c._id, userId: user!.id, songId: c.songId, createdAt: new Date() } },
      { upsert: true, new: false },
    ).lean();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    prev = true;
  }
  if (!prev) await oneAtATime(deps.db.conn, `comment:${c._id}`, () => commentModel(deps.db.conn).updateOne({ _id: c._id }, { $inc: { flagCount: 1 } }));
}
