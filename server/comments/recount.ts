// Counters recomputed from what they count: a thread's comment count, and each of its comments' reply count,
// score (the sum of its votes) and flag count. Used to repair a thread after a write was cut short (a crash, the
// database going away between two writes); repair.ts decides when.
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import type { CommentStatus } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { songModel, type SongRecord } from '../songs/model';
import { commentModel, flagModel, voteModel, type CommentRecord } from './model';

/** The comments a thread's commentCount (and a page's total) counts: the visible ones. */
export const COUNTED: readonly CommentStatus[] = ['visible'];
/** The replies a comment's replyCount counts: those readers see, placeholders included (held ones once approved). */
const REPLIES: readonly CommentStatus[] = ['visible', 'removed'];
/** Ids per `$in` query, so a long thread never makes one huge query. */
const BATCH = 1000;

type Counted = Pick<CommentRecord, '_id' | 'parentId' | 'status' | 'score' | 'replyCount' | 'flagCount'>;

export interface Recount {
  /** Documents whose counters were wrong and are now set right. */
  fixed: number;
  /** Set when counters moved while this ran: nothing was written for those, and the thread needs another pass. */
  moved: boolean;
}

async function tally<T extends { commentId: Types.ObjectId }>(ids: Types.ObjectId[], read: (batch: Types.ObjectId[]) => Promise<T[]>, add: (row: T) => number) {
  const sums = new Map<string, number>();
  for (let i = 0; i < ids.length; i += BATCH) {
    for (const row of await read(ids.slice(i, i + BATCH))) sums.set(String(row.commentId), (sums.get(String(row.commentId)) ?? 0) + add(row));
  }
  return sums;
}

/**
 * Recounts one thread. Each correction is a conditional write (only where the counter still holds the value read),
 * so a vote or post landing meanwhile is never overwritten; it reports `moved` and the caller runs it again. It holds
 * the song's counter lock throughout and each comment's while correcting it (that order only: nothing holds a
 * comment's and then asks for a song's). A post, a reply's parent count and a status change with its counts are each
 * one turn of the song's lock, so the comments and counts read here are whole; a vote, a flag and a dismissal are
 * each one turn of the comment's lock, so a score and a flag count are set from the votes and flags read again there.
 */
export async function recountThread(deps: Pick<ForumDeps, 'db' | 'threads'>, songId: Types.ObjectId): Promise<Recount> {
  const conn = deps.db.conn;
  const Comments = commentModel(conn);
  const Songs = songModel(conn);
  return deps.threads.moveCounters(`song:${songId}`, async () => {
    const before = await Songs.findOne({ _id: songId }, { commentCount: 1 }).lean<Pick<SongRecord, 'commentCount'>>();
    if (!before) return { fixed: 0, moved: false };
    const comments = await Comments.find({ songId }, { _id: 1, parentId: 1, status: 1, score: 1, replyCount: 1, flagCount: 1 }).lean<Counted[]>();
    const ids = comments.map((c) => c._id);
    const inIds = (batch: Types.ObjectId[]) => ({ commentId: mongoose.trusted({ $in: batch }) });
    const [scores, flags] = await Promise.all([
      tally(ids, (b) => voteModel(conn).find(inIds(b), { commentId: 1, value: 1 }).lean<{ commentId: Types.ObjectId; value: number }[]>(), (v) => v.value),
      // Flags a moderator dismissed no longer count.
      tally(ids, (b) => flagModel(conn).find({ ...inIds(b), dismissed: mongoose.trusted({ $ne: true }) }, { commentId: 1 }).lean<{ commentId: Types.ObjectId }[]>(), () => 1),
    ]);
    const replies = new Map<string, number>();
    for (const c of comments) if (c.parentId && REPLIES.includes(c.status)) replies.set(String(c.parentId), (replies.get(String(c.parentId)) ?? 0) + 1);

    const result: Recount = { fixed: 0, moved: false };
    const tallyWrite = (modified: number) => (modified ? result.fixed++ : (result.moved = true));
    for (const c of comments) {
      const id = String(c._id);
      const truth = { score: scores.get(id) ?? 0, replyCount: replies.get(id) ?? 0, flagCount: flags.get(id) ?? 0 };
      const held = { score: c.score ?? 0, replyCount: c.replyCount ?? 0, flagCount: c.flagCount ?? 0 };
      if (truth.score === held.score && truth.replyCount === held.replyCount && truth.flagCount === held.flagCount) continue;
      // Under the comment's own lock too: a vote between its swap and its $inc (or a reply count moving) must not
      // interleave with these writes, which the embedded database also applies read-modify-write.
      await deps.threads.moveCounters(`comment:${c._id}`, async () => {
        if (truth.score !== held.score) {
          // A vote swaps its record and moves the score under this lock, so here the votes and the score are whole:
          // the score is set from them read again now. (A conditional write from the tally above could meet a score
          // that moved away and back meanwhile, and set one that a vote read half way left wrong.)
          // The score read with them guards the write where moves take no lock (MongoDB: a vote landing meanwhile
          // leaves this pass 'moved' rather than being overwritten).
          const now = await Comments.findOne({ _id: c._id }, { score: 1 }).lean<Pick<CommentRecord, 'score'>>();
          const score = (await voteModel(conn).find({ commentId: c._id }, { value: 1 }).lean<{ value: number }[]>()).reduce((sum, v) => sum + v.value, 0);
          if (now && (now.score ?? 0) !== score) {
            tallyWrite((await Comments.updateOne({ _id: c._id, score: now.score ?? 0 }, { $set: { score } })).modifiedCount);
            deps.threads.noteScore(songId, id, score);
          }
        }
        if (truth.flagCount !== held.flagCount) {
          // Likewise a flag (its record and its count) and a dismissal (the flags and the count set to none) are whole
          // under this lock: the count is set from the standing flags read again now.
          const now = await Comments.findOne({ _id: c._id }, { flagCount: 1 }).lean<Pick<CommentRecord, 'flagCount'>>();
          const flagCount = await flagModel(conn).countDocuments({ commentId: c._id, dismissed: mongoose.trusted({ $ne: true }) });
          if (now && (now.flagCount ?? 0) !== flagCount) tallyWrite((await Comments.updateOne({ _id: c._id, flagCount: now.flagCount ?? 0 }, { $set: { flagCount } })).modifiedCount);
        }
        if (truth.replyCount !== held.replyCount) {
          tallyWrite((await Comments.updateOne({ _id: c._id, replyCount: held.replyCount }, { $set: { replyCount: truth.replyCount } })).modifiedCount);
        }
      });
    }
    const held = before.commentCount ?? 0;
    const count = comments.filter((c) => COUNTED.includes(c.status)).length;
    if (count !== held) tallyWrite((await Songs.updateOne({ _id: songId, commentCount: held }, { $set: { commentCount: count } })).modifiedCount);
    return result;
  });
}
