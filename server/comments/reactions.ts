// Members' reactions to comments: one vote each (the score moves by the change), one flag each (for moderators).
import type { Types } from 'mongoose';
import type { FlagInput } from '../../shared/schemas';
import type { UserDTO, VoteValue } from '../../shared/types';
import { isDuplicateKey } from '../db/connection';
import type { ForumDeps } from '../deps';
import { authorise, findComment } from './access';
import { commentModel, flagModel, voteModel, type CommentRecord } from './model';
import { publish } from './publish';

type Deps = Pick<ForumDeps, 'db' | 'config' | 'bus' | 'threadCache' | 'threads' | 'repairs' | 'settings' | 'logger' | 'moderation' | 'limits'>;

/**
 * The member's vote record holds their current value; the comment's score moves by the change of value. `how`:
 * 'set' makes `value` their vote; 'press' is a vote button pressed (the plain form's): the value they already have
 * is taken back (0), as the script's pressed button does.
 */
export async function voteComment(deps: Deps, user: UserDTO | null, id: string, value: VoteValue, how: 'set' | 'press' = 'set'): Promise<{ id: string; score: number }> {
  const c = await findComment(deps, id);
  authorise(deps, user, 'comment.vote', c, { refusal: refusal(user, c, 'voted on') });
  await deps.moderation.refuseBanned(user);
  // Each vote reaches every reader of the thread and moves its version: a member's votes are budgeted.
  await deps.limits.act('vote', user.id);
  const Comments = commentModel(deps.db.conn);
  // Read and set in the comment's turn, so a press answers the vote it found.
  const { score, changed } = await deps.threads.moveCounters(`comment:${c._id}`, async () => {
    const next: VoteValue = how === 'press' && value !== 0 && (await voteOf(deps, c._id, user.id)) === value ? 0 : value;
    const delta = next - (await swapVote(deps, c._id, user.id, next));
    const updated = delta
      ? await Comments.findOneAndUpdate({ _id: c._id }, { $inc: { score: delta } }, { new: true })
          .lean<CommentRecord>()
          // The vote is stored but the score did not move: the thread is recounted once the database answers.
          .catch((err) => failedCount(deps, c, err))
      : await Comments.findOne({ _id: c._id }).lean<CommentRecord>();
    return { score: updated?.score ?? c.score + delta, changed: delta !== 0 };
  });
  if (changed) {
    deps.threads.noteScore(c.songId, String(c._id), score);
    await publish(deps, 'comment.voted', { id: String(c._id), songId: String(c.songId), score });
  }
  return { id: String(c._id), score };
}

/** The member's vote on the comment (0 when none). */
async function voteOf(deps: Pick<ForumDeps, 'db'>, commentId: Types.ObjectId, userId: string): Promise<number> {
  const v = await voteModel(deps.db.conn).findOne({ _id: `${commentId}:${userId}` }, { value: 1 }).lean<{ value: number }>();
  return v?.value ?? 0;
}

/** Sets the member's vote and answers the value it had before (0 when there was none). */
async function swapVote(deps: Pick<ForumDeps, 'db'>, commentId: Types.ObjectId, userId: string, value: number): Promise<number> {
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

const refusal = (user: UserDTO | null, c: CommentRecord, done: string) =>
  user && c.author.userId === user.id ? `You cannot ${done === 'flagged' ? 'flag' : 'vote on'} your own comment.` : `Only visible comments can be ${done}.`;

/**
 * Stored for moderators, one per member per comment (a second flag updates the reason). The comment stands in the
 * Flagged tab; `flagThreshold` distinct members' flags hold it for review.
 */
export async function flagComment(deps: Deps, user: UserDTO | null, id: string, input: FlagInput): Promise<void> {
  const c = await findComment(deps, id);
  authorise(deps, user, 'comment.flag', c, { refusal: refusal(user, c, 'flagged') });
  await deps.moderation.refuseBanned(user);
  const Comments = commentModel(deps.db.conn);
  // The flag's record and the count it moves are one turn of the comment's lock: a recount (which sets flagCount
  // from the flags it reads under that lock) or a dismissal never finds the one done and the other not.
  const { counts, flagged } = await deps.threads.moveCounters(`comment:${c._id}`, async () => {
    let prev: { dismissed?: boolean } | true | null = null;
    try {
      prev = await flagModel(deps.db.conn)
        .findOneAndUpdate(
          { _id: `${c._id}:${user.id}` },
          { $set: { reason: input.reason, dismissed: false }, $setOnInsert: { commentId: c._id, userId: user.id, songId: c.songId, createdAt: new Date() } },
          { upsert: true, new: false },
        )
        .lean<{ dismissed?: boolean }>();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      prev = true;
    }
    // A new flag, or one raised again after a moderator dismissed it, counts; a changed reason does not.
    const counts = !prev || (prev !== true && !!prev.dismissed);
    const flagged = counts
      ? await Comments.findOneAndUpdate({ _id: c._id }, { $inc: { flagCount: 1 } }, { new: true })
          .lean<CommentRecord>()
          .catch((err) => failedCount(deps, c, err))
      : await Comments.findOne({ _id: c._id }).lean<CommentRecord>();
    return { counts, flagged };
  });
  // Readers are not told of flags, but the comment's record changed: records kept of it are read again.
  if (counts) await deps.threadCache.threadChanged(String(c.songId), [String(c._id)]);
  if (flagged) await deps.moderation.flagsChanged(flagged);
}

function failedCount(deps: Pick<ForumDeps, 'repairs'>, c: CommentRecord, err: unknown): never {
  deps.repairs.markDirty(c.songId);
  throw err;
}
