// Posting a comment: who posts (member or guest), where (thread, parent), once per clientId, within the rate
// limit; then the store writes it at the thread's next position and the thread hears of it.
import { randomBytes, randomUUID } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import mongoose, { type Types } from 'mongoose';
import type { PostCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import { can } from '../accounts/policy';
import { isDuplicateKey } from '../db/connection';
import type { ForumDeps } from '../deps';
import { Invalid, Unauthenticated } from '../errors';
import type { SongRecord } from '../songs/model';
import { songIdBySlug } from '../songs/service';
import { hashGuestToken, isObjectId, oid, policyContext } from './access';
import { replyContextOf } from './context';
import { toCommentDTO } from './dto';
import { keyTaken, markAnnounced, ONCE_PREFIX, releaseKey, reserveKey, storedUnder } from './idempotency';
import { commentModel, type CommentRecord } from './model';
import { publish } from './publish';
import type { InsertHooks, NewComment } from './store/types';

export interface Poster {
  user: UserDTO | null;
  /** The poster's address: a guest's posting budget and idempotency keys are per address. */
  ip: string;
  /** A guest's name and location; members post under their own. */
  guest?: { name: string; location?: string };
  /** Posted through a page's form: its honeypot and signed render time (guests' bot check). */
  form?: { trap: string; renderedAt: number | null } | null;
}

/** A comment as the schemas deliver it (body trimmed and within limits, ids well-formed); the author is the Poster. */
export type PostInput = Omit<PostCommentInput, 'author'>;

type PostDeps = Pick<ForumDeps, 'db' | 'threads' | 'songIds' | 'config' | 'limits' | 'bus' | 'threadCache' | 'logger' | 'repairs' | 'settings' | 'moderation'>;

const posterKey = (p: Poster) => (p.user ? `user:${p.user.id}` : `ip:${p.ip}`);
/**
 * Whose posting budget a post takes from: a member's own, a guest's address's, with IPv6 addresses grouped by their /56
 * prefix as every other limit groups them (one host holds a whole /64: it must not get a budget per address).
 */
const budgetKey = (p: Poster) => (p.user ? `user:${p.user.id}` : `ip:${ipKeyGenerator(p.ip)}`);

function authorOf(deps: Pick<ForumDeps, 'config' | 'settings'>, poster: Poster): CommentRecord['author'] {
  if (poster.user) {
    if (poster.guest) throw new Invalid('VALIDATION', 'author: is for guests only; members post under their own name');
    return { name: poster.user.displayName || poster.user.username, location: poster.user.location ?? null, userId: poster.user.id };
  }
  if (!can(null, 'comment.post', policyContext(deps))) throw new Unauthenticated('Sign in to post.');
  const name = poster.guest?.name.trim();
  if (!name) throw new Invalid('VALIDATION', 'author.name: is required for guests');
  return { name, location: poster.guest?.location?.trim() || null, userId: null };
}

/**
 * Every new comment (HTTP, socket, the page's form) comes through here: who posts, the ban check, where, then the
 * moderation pipeline decides visible or pending before the write; readers hear only of a visible one.
 */
export async function postComment(
  deps: PostDeps,
  poster: Poster,
  slug: string,
  input: PostInput,
  /** Called once the comment is stored and readers have been told (or nothing was stored): the bookkeeping follows. */
  announced?: () => void,
): Promise<{ comment: CommentDTO; created: boolean }> {
  const author = authorOf(deps, poster);
  await deps.moderation.refuseBanned(poster.user);
  const songId = await songIdBySlug(deps, slug);
  const key = input.clientId ? `${songId}:${posterKey(poster)}:${input.clientId}` : null;
  const parent = input.parentId ? await parentIn(deps, songId, input.parentId) : null;
  const outcome = await deps.moderation.screen({ body: input.body, userId: author.userId, guestName: author.userId ? null : author.name, form: poster.form });
  // A guest's edit secret: random, and answered to the post that stored the comment only. A repeat of its clientId
  // gets the comment without it: clientIds are public (every reader's copy of the comment has one), so a repeat proves
  // nothing about who sends it, and anyone behind the guest's address could otherwise replay it for the secret.
  const token = author.userId ? null : randomBytes(32).toString('base64url');
  const fields: NewComment = {
    parentId: parent?._id ?? null,
    author,
    body: input.body,
    clientId: input.clientId ?? null,
    status: outcome.status,
    heldFor: outcome.heldFor,
    guestTokenHash: token && hashGuestToken(token),
  };
  const dtoOf = (record: CommentRecord): CommentDTO => ({ ...toCommentDTO(record), inReplyTo: parent ? replyContextOf(parent) : null });
  const tell = (record: CommentRecord) =>
    publish(deps, record.status === 'visible' ? 'comment.created' : 'comment.held', { comment: { ...dtoOf(record), songSlug: slug }, songSlug: slug });
  // A repeat of the same clientId (a retry after a lost answer) is answered before the rate limit counts it.
  const budget: PostingBudget = { take: () => deps.limits.posting(budgetKey(poster)), giveBack: () => deps.limits.postingBack(budgetKey(poster)) };
  const { record, created, unannounced, told } = await insertThreadComment(deps, { _id: songId }, fields, key, budget, tell);
  const comment = dtoOf(record);
  if (told) {
    // Readers were told as soon as the comment was stored; the counters it moved after that (the thread's total, a
    // reply's parent) move the thread's version once more, so no page read in between outlives them.
    await deps.threadCache.threadChanged(String(songId), record.parentId ? [String(record.parentId)] : []);
  } else if (created || unannounced) await tell(record);
  if (created || unannounced) {
    // Said once: a later repeat need not say it again. A new post does not wait for the note (a repeat before it lands
    // announces again, harmlessly); a repeat does, so that retries after it stay quiet.
    const noted = key ? markAnnounced(deps, key, record).catch((err) => deps.logger.warn({ err, key }, 'announcement not noted; a retry will announce again')) : null;
    if (!created) await noted;
  }
  announced?.();
  if (created) await deps.moderation.noteNew(record);
  // The guest's secret goes to the poster alone, never into the announcement, and never to a repeat.
  return { comment: token && created ? { ...comment, guestToken: token } : comment, created };
}

async function parentIn(deps: Pick<ForumDeps, 'db'>, songId: Types.ObjectId, parentId: string): Promise<CommentRecord> {
  const parent = isObjectId(parentId) ? await commentModel(deps.db.conn).findOne({ _id: oid(parentId) }).lean<CommentRecord>() : null;
  // Replies go under what readers can see: a visible comment or a removed one's placeholder.
  if (!parent || !parent.songId.equals(songId) || (parent.status !== 'visible' && parent.status !== 'removed')) {
    throw new Invalid('INVALID_PARENT', 'parentId: no such comment in this thread.');
  }
  return parent;
}

/** A post that reserved nothing found its key taken (a repeat, or a post in flight): it goes the reserving way. */
class KeyTaken extends Error {}

/** The poster's posting budget: a new post takes from it; one found to repeat a stored post gives it back. */
export interface PostingBudget {
  take(): Promise<void>;
  giveBack(): Promise<void>;
}

/** The post's own refusal, from the check beside the claim (its key taken, the rate limit): nothing of it was written. */
class Refused extends Error {
  constructor(readonly reason: unknown) {
    super('post refused');
  }
}

/**
 * Stores a comment at the thread's next position, once per idempotency key: the key is reserved first
 * (idempotency.ts), then the post takes from the `budget` (the rate limit: repeats never reach it), then the store
 * takes the position, moves the counters with it and writes the comment. Given `announce`, the store may tell readers
 * as soon as the comment is stored and move the counters after (`told`); otherwise telling them is the caller's. A
 * live post (one with `announce`) on the store's only instance reserves nothing: the key is checked and the budget
 * taken beside the position claim, and the caller records the key once it has announced the comment (markAnnounced).
 * A repeat that gets past the check (one racing that record) meets the comment's unique idemKey instead, and gives
 * back what it took. The importer uses it too, always reserving.
 */
export async function insertThreadComment(
  deps: Pick<ForumDeps, 'db' | 'threads' | 'repairs'> & Partial<Pick<ForumDeps, 'logger'>>,
  song: Pick<SongRecord, '_id'>,
  fields: NewComment,
  key: string | null,
  budget?: PostingBudget,
  /** Tells readers of the new comment; the store may do it before it moves the counters (then `told` is true). */
  announce?: (record: CommentRecord) => Promise<void>,
  reserve = !announce || !deps.threads.soleInstance,
): Promise<{ record: CommentRecord; created: boolean; unannounced?: boolean; told?: boolean }> {
  const commentId = new mongoose.Types.ObjectId();
  const checkOnly = key !== null && !reserve;
  if (key && !checkOnly) {
    const reservation = await reserveKey(deps, key, song._id, commentId);
    if (reservation.kind === 'repeat') return { record: reservation.comment, created: false, unannounced: reservation.unannounced };
    // The abandoned attempt may have moved the thread's counters before it died: have them recounted.
    if (reservation.tookOver) deps.repairs.markDirty(song._id);
  }
  const check = async () => {
    try {
      if (key && (await keyTaken(deps, key))) throw new KeyTaken();
      await budget?.take();
    } catch (err) {
      throw new Refused(err);
    }
  };
  if (!checkOnly) {
    try {
      await budget?.take();
    } catch (err) {
      if (key) await releaseKey(deps, key, commentId);
      throw err;
    }
  }
  // A held reply is counted on its parent when it is approved (readers' reply counts tell only of what they see).
  const countOnParent = async (record: CommentRecord) => {
    const parentId = record.parentId;
    if (!parentId || record.status !== 'visible') return;
    // The comment is stored: a failed count must not turn its post into an error (nor stop its broadcast).
    await deps.threads
      .moveCounters(`comment:${parentId}`, () => commentModel(deps.db.conn).updateOne({ _id: parentId }, { $inc: { replyCount: 1 } }))
      .catch((err) => {
        deps.logger?.warn({ err, parentId: String(parentId) }, 'reply count not updated; the thread will be recounted');
        deps.repairs.markDirty(song._id);
      });
  };
  // The store tells readers in the thread's turn; an announcement that fails is the post's error once it is stored.
  let told: Promise<void> | undefined;
  const hooks: InsertHooks = {
    before: checkOnly ? check : undefined,
    afterInsert: countOnParent,
    announce:
      announce &&
      ((stored) => {
        told = announce(stored);
        return told.catch(() => undefined);
      }),
    countsNotMoved: (err) => {
      deps.logger?.warn({ err, songId: String(song._id) }, 'thread counters not moved after a stored comment; the thread will be recounted');
      deps.repairs.markDirty(song._id);
    },
  };
  let record: CommentRecord;
  try {
    record = await deps.threads.insertAtNextPosition(song, fields, key ?? `${ONCE_PREFIX}${randomUUID()}`, commentId, hooks);
  } catch (err) {
    if (err instanceof Refused) {
      if (err.reason instanceof KeyTaken) return insertThreadComment(deps, song, fields, key, budget, announce, true);
      throw err.reason;
    }
    // Our takeover raced an owner that was slow, not gone (or, reserving nothing, we met a comment already stored
    // under the key): its comment stands, ours was never written.
    const stored = key && isDuplicateKey(err) ? await storedUnder(deps, key) : null;
    if (stored) {
      // Never announced, that post was cut short, maybe before its counters moved: have them recounted.
      if (checkOnly && stored.unannounced) deps.repairs.markDirty(song._id);
      // A repeat after all: what this attempt took from the budget goes back.
      await budget?.giveBack();
      return { record: stored.comment, created: false, unannounced: stored.unannounced };
    }
    if (key && !checkOnly) await releaseKey(deps, key, commentId);
    // The store moves counters back on failure, but not when the database went away mid-way.
    deps.repairs.markDirty(song._id);
    throw err;
  }
  if (told) await told;
  return { record, created: true, told: told !== undefined };
}
