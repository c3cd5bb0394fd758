// Posting once per idempotency key. A post first reserves its key (a unique _id naming the comment id it will
// have); a repeat finds the reservation and answers with that comment. A reservation whose comment never appeared,
// because the process that made it died mid-post (kill -9, a crash, a lost database), is taken over by the next
// retry once its owner is known to be gone (same host, process no longer running) or once it is older than any
// post can take; the comment's own unique idemKey settles the race with an owner that was only slow.
// Where the instance is the store's only one (store/types.ts `soleInstance`), a live post checks the key instead of
// reserving it and records it once announced: the comment's unique idemKey keeps a second one out, and a crash is
// followed by the instance's own start-up pass, which repairs what the cut-short post counted and records its key, so
// the retry is known as one before the posting limit weighs it (recordStoredKeys).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Types } from 'mongoose';
import { byIds } from '../db/by-ids';
import { isDuplicateKey } from '../db/connection';
import { insertRecord } from '../db/insert';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { commentModel, postKeyModel, type CommentRecord, type PostKeyRecord } from './model';

/** A post without a clientId is stored under a key of its own that no retry can name: this, then a random id. */
export const ONCE_PREFIX = 'once:';
/** Older than this, a reservation without its comment is abandoned: a post's writes time out well before. */
export const RESERVATION_STALE_MS = 10_000;
/** How long a repeat waits for a post still in flight elsewhere before answering 409 (it may retry). */
const WAIT_FOR_OWNER_MS = 1000;
const POLL_MS = 25;

/** This process, as reservations name their owner: a restarted forum with the same pid is told apart by BOOT. */
const THIS_PROCESS = { host: hostname(), pid: process.pid, boot: randomUUID().slice(0, 8) };
export const processOwner = `${THIS_PROCESS.host}:${THIS_PROCESS.pid}:${THIS_PROCESS.boot}`;

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** True when the owner is a process of this host that is no longer running (killed, crashed, restarted). */
function ownerGone(owner: string | null): boolean {
  const [host, pid, boot] = (owner ?? '').split(':');
  if (host !== THIS_PROCESS.host || !pid) return false;
  if (Number(pid) === THIS_PROCESS.pid) return boot !== THIS_PROCESS.boot;
  return !running(Number(pid));
}

/** True when the reservation's owner cannot finish it: gone from this host, or silent for longer than a post takes. */
export function isAbandoned(pk: Pick<PostKeyRecord, 'owner' | 'createdAt'>, now: number): boolean {
  return now - pk.createdAt.getTime() > RESERVATION_STALE_MS || ownerGone(pk.owner);
}

/**
 * `unannounced`: the post that stored the comment never marked it announced. It may have died between the write and
 * the broadcast (kill -9), or lost the database after a write that did land (so it answered 503 and the client
 * retried): either way readers may never have heard of it, and this repeat announces it.
 */
export type Reservation = { kind: 'reserved'; tookOver: boolean } | { kind: 'repeat'; comment: CommentRecord; unannounced: boolean };

type Deps = Pick<ForumDeps, 'db'>;

/** Reserves `key` for `commentId`, or finds the comment an earlier post with the key stored. */
export async function reserveKey(deps: Deps, key: string, songId: Types.ObjectId, commentId: Types.ObjectId): Promise<Reservation> {
  const PostKeys = postKeyModel(deps.db.conn);
  const Comments = commentModel(deps.db.conn);
  const deadline = Date.now() + WAIT_FOR_OWNER_MS;
  for (;;) {
    try {
      await insertRecord(PostKeys, { _id: key, commentId, songId, owner: processOwner, createdAt: new Date() });
      return { kind: 'reserved', tookOver: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const pk = await PostKeys.findOne({ _id: key }).lean<PostKeyRecord>();
    if (!pk) continue; // released by a failed post meanwhile: reserve it again
    const earlier = pk.commentId ? await Comments.findOne({ _id: pk.commentId }).lean<CommentRecord>() : null;
    if (earlier) return { kind: 'repeat', comment: earlier, unannounced: !pk.announced };
    if (isAbandoned(pk, Date.now())) {
      // Only one retry takes it over: the update matches the reservation as it was read.
      const taken = await PostKeys.updateOne(
        { _id: key, commentId: pk.commentId, createdAt: pk.createdAt },
        { $set: { commentId, songId, owner: processOwner, createdAt: new Date() } },
      );
      if (taken.modifiedCount) return { kind: 'reserved', tookOver: true };
      continue;
    }
    if (Date.now() >= deadline) throw new Conflict('This post is still being stored; try again in a moment.');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** True when a post has reserved `key` (or noted its comment announced): a post that reserved nothing checks this. */
export async function keyTaken(deps: Deps, key: string): Promise<boolean> {
  return (await postKeyModel(deps.db.conn).exists({ _id: key })) !== null;
}

/**
 * Notes that readers were told of the key's comment, making the key's record if the post reserved none
 * (store/types.ts `soleInstance`). Until then every repeat announces it again: readers drop what they already have
 * (by id) and notifications are stored once per key, so twice is harmless; never is not.
 */
export async function markAnnounced(deps: Deps, key: string, comment: Pick<CommentRecord, '_id' | 'songId'>): Promise<void> {
  await postKeyModel(deps.db.conn).updateOne(
    { _id: key },
    { $set: { announced: true }, $setOnInsert: { commentId: comment._id, songId: comment.songId, owner: processOwner, createdAt: new Date() } },
    { upsert: true },
  );
}

/**
 * Records the keys of comments stored without a record of their key, as never announced: what a post on the store's
 * only instance leaves when it is killed between its comment and the record (it reserved nothing). A retry then
 * finds its key before its post is weighed against the posting limit, and announces the comment. The start-up pass
 * (repair.ts) runs this over the last minutes' comments; answers how many it recorded.
 */
export async function recordStoredKeys(deps: Deps, comments: Pick<CommentRecord, '_id' | 'songId' | 'idemKey' | 'createdAt'>[]): Promise<number> {
  const PostKeys = postKeyModel(deps.db.conn);
  const keyed = comments.filter((c) => c.idemKey && !c.idemKey.startsWith(ONCE_PREFIX));
  const known = await byIds<PostKeyRecord>(PostKeys, keyed.map((c) => c.idemKey), { _id: 1 });
  let recorded = 0;
  for (const c of keyed) {
    if (known.has(c.idemKey)) continue;
    // A post finishing meanwhile may record it first (markAnnounced): its record stands.
    await insertRecord(PostKeys, { _id: c.idemKey, commentId: c._id, songId: c.songId, owner: null, createdAt: c.createdAt }).then(
      () => recorded++,
      (err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      },
    );
  }
  return recorded;
}

/** Gives the key back after a failed post (only while it is still ours), so a retry can post at once. */
export async function releaseKey(deps: Deps, key: string, commentId: Types.ObjectId): Promise<void> {
  await postKeyModel(deps.db.conn)
    .deleteOne({ _id: key, commentId })
    .catch(() => undefined);
}

/**
 * The comment stored under `key` when our write lost the race on the comment's unique idemKey (we took over a
 * reservation whose owner was slow, not gone, or had released it after a write that landed unbeknown to it): the
 * reservation is pointed back at it. Its post was cut short, so it may never have been announced.
 */
export async function storedUnder(deps: Deps, key: string): Promise<{ comment: CommentRecord; unannounced: boolean } | null> {
  const stored = await commentModel(deps.db.conn).findOne({ idemKey: key }).lean<CommentRecord>();
  if (!stored) return null;
  const pk = await postKeyModel(deps.db.conn).findOneAndUpdate({ _id: key }, { $set: { commentId: stored._id } }).lean<PostKeyRecord>();
  return { comment: stored, unannounced: !pk?.announced };
}
