// Posting a comment: who posts (member or guest), where (thread, parent), once per clientId, within the rate
// limit; then the store writes it at the thread's next position and the thread hears of it.
import { randomUUID } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import type { PostCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import { can } from '../accounts/policy';
import { isDuplicateKey } from '../db/connection';
import type { ForumDeps } from '../deps';
import { Conflict, Invalid, Unauthenticated } from '../errors';
import type { SongRecord } from '../songs/model';
import { songIdBySlug } from '../songs/service';
import { isObjectId, oid, policyContext } from './access';
import { toCommentDTO } from './dto';
import { commentModel, postKeyModel, type CommentRecord, type PostKeyRecord } from './model';
import { publish } from './publish';
import type { NewComment } from './store/types';

export interface Poster {
  user: UserDTO | null;
  /** The poster's address: a guest's posting budget and idempotency keys are per address. */
  ip: string;
  /** A guest's name and location; members post under their own. */
  guest?: { name: string; location?: string };
}

/** A comment as the schemas deliver it (body trimmed and within limits, ids well-formed); the author is the Poster. */
export type PostInput = Omit<PostCommentInput, 'author'>;

type PostDeps = Pick<ForumDeps, 'db' | 'threads' | 'songIds' | 'config' | 'limits' | 'bus' | 'logger'>;

const posterKey = (p: Poster) => (p.user ? `user:${p.user.id}` : `ip:${p.ip}`);

function authorOf(deps: Pick<ForumDeps, 'config'>, poster: Poster): CommentRecord['author'] {
  if (poster.user) {
    if (poster.guest) throw new Invalid('VALIDATION', 'author: is for guests only; members post under their own name');
    return { name: poster.user.displayName || poster.user.username, location: poster.user.location ?? null, userId: poster.user.id };
  }
  if (!can(null, 'comment.post', policyContext(deps))) throw new Unauthenticated('Sign in to post.');
  const name = poster.guest?.name.trim();
  if (!name) throw new Invalid('VALIDATION', 'author.name: is required for guests');
  return { name, location: poster.guest?.location?.trim() || null, userId: null };
}

export async function postComment(deps: PostDeps, poster: Poster, slug: string, input: PostInput): Promise<{ comment: CommentDTO; created: boolean }> {
  const author = authorOf(deps, poster);
  const songId = await songIdBySlug(deps, slug);
  const key = input.clientId ? `${songId}:${posterKey(poster)}:${input.clientId}` : null;
  const parent = input.parentId ? await parentIn(deps, songId, input.parentId) : null;
  const fields: NewComment = { parentId: parent?._id ?? null, author, body: input.body, clientId: input.clientId ?? null };
  // A repeat of the same clientId (a retry after a lost answer) is answered before the rate limit counts it.
  const { record, created } = await insertThreadComment(deps, { _id: songId }, fields, key, () => deps.limits.posting(posterKey(poster)));
  const comment = toCommentDTO(record);
  if (created) await publish(deps, 'comment.created', { comment: { ...comment, songSlug: slug }, songSlug: slug });
  return { comment, created };
}

async function parentIn(deps: Pick<ForumDeps, 'db'>, songId: Types.ObjectId, parentId: string): Promise<CommentRecord> {
  const parent = isObjectId(parentId) ? await commentModel(deps.db.conn).findOne({ _id: oid(parentId) }).lean<CommentRecord>() : null;
  if (!parent || !parent.songId.equals(songId) || parent.status === 'pending') {
    throw new Invalid('INVALID_PARENT', 'parentId: no such comment in this thread.');
  }
  return parent;
}

/**
 * Stores a comment at the thread's next position, once per idempotency key: the key is reserved first (a unique
 * _id naming the comment's id-to-be), then `beforeWrite` runs (the rate limit: repeats never reach it), then the
 * store takes the position, moves the counters with it and writes the comment. The importer uses it too.
 */
export async function insertThreadComment(
  deps: Pick<ForumDeps, 'db' | 'threads'> & Partial<Pick<ForumDeps, 'logger'>>,
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
      throw new Conflict('This post is still being stored; try again in a moment.');
    }
  }
  let record: CommentRecord;
  try {
    await beforeWrite?.();
    record = await deps.threads.insertAtNextPosition(song, fields, key ?? `once:${randomUUID()}`, commentId);
  } catch (err) {
    // Release the key so a retry can post; if even that fails, a retry waits out earlierPost and gets 409.
    if (key) await postKeyModel(conn).deleteOne({ _id: key }).catch(() => undefined);
    throw err;
  }
  const parentId = record.parentId;
  if (parentId) {
    // The comment is stored: a failed count must not turn its post into an error (nor stop its broadcast).
    await deps.threads
      .moveCounters(`comment:${parentId}`, () => commentModel(conn).updateOne({ _id: parentId }, { $inc: { replyCount: 1 } }))
      .catch((err) => deps.logger?.warn({ err, parentId: String(parentId) }, 'reply count not updated'));
  }
  return { record, created: true };
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
