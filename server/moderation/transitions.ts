// The one table of a comment's status changes, and the one function that makes them: the status write, the
// counters that follow it (the song's visible count, the author's tally), the queue, and the announcements (readers
// hear only of what they may see: realtime/broadcasts.ts routes by status).
import mongoose from 'mongoose';
import type { CommentStatus } from '../../shared/types';
import { toCommentDTO } from '../comments/dto';
import { commentModel, flagModel, type CommentRecord } from '../comments/model';
import type { MoveOptions, Transition } from '../comments/moderation';
import { publish } from '../comments/publish';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { songModel } from '../songs/model';
import { slugOfSong } from '../songs/service';
import { syncQueue } from './queue';
import { moveTally } from './tallies';

export type { MoveOptions, Transition } from '../comments/moderation';

/** visible <-> pending -> rejected; visible (or held) -> removed; rejected/removed -> visible again by a moderator. */
export const TRANSITIONS: Readonly<Record<Transition, { from: readonly CommentStatus[]; to: CommentStatus }>> = {
  approve: { from: ['pending'], to: 'visible' },
  hold: { from: ['visible'], to: 'pending' },
  reject: { from: ['pending', 'visible'], to: 'rejected' },
  remove: { from: ['visible', 'pending'], to: 'removed' },
  restore: { from: ['rejected', 'removed'], to: 'visible' },
};

/** The status `t` leads to from `from`, or 409 INVALID_TRANSITION. */
export function nextStatus(t: Transition, from: CommentStatus): CommentStatus {
  const rule = TRANSITIONS[t];
  if (!rule.from.includes(from)) throw new Conflict(`A ${from} comment cannot be ${PAST[t]}.`, 'INVALID_TRANSITION');
  return rule.to;
}

const PAST: Record<Transition, string> = { approve: 'approved', hold: 'held', reject: 'rejected', remove: 'removed', restore: 'restored' };

export type MoveDeps = Pick<ForumDeps, 'db' | 'bus' | 'threadCache' | 'threads' | 'logger'>;


/**
 * The status write and the counters it moves (the song's commentCount, a reply's parent's replyCount) are one turn of
 * the thread's lock, which a recount holds throughout: it never counts the new status with the counters not yet
 * moved. The status write (and an approval's flags dismissed with its flagCount) also takes the comment's own lock,
 * where its flags and their count move whole and no counter move of the document interleaves with the write.
 * Locks go song, then comment, as everywhere; the song's count moves directly here, its lock being held (not re-entrant).
 */
export async function moveComment(deps: MoveDeps, c: CommentRecord, t: Transition, opts: MoveOptions): Promise<CommentRecord> {
  const to = nextStatus(t, c.status);
  const set: Record<string, unknown> = { status: to, ...opts.set };
  if (to === 'removed') Object.assign(set, { removedAt: new Date(), removedBy: opts.by?.id ?? null, removedAs: opts.as ?? 'moderator' });
  if (to === 'visible') Object.assign(set, { removedAt: null, removedBy: null, removedAs: null });
  if (opts.dismissFlags) set.flagCount = 0;
  const updated = await deps.threads.moveCounters(`song:${c.songId}`, async () => {
    const moved = await deps.threads.moveCounters(`comment:${c._id}`, async () => {
      const written = await commentModel(deps.db.conn).findOneAndUpdate({ _id: c._id, status: c.status }, { $set: set }, { new: true }).lean<CommentRecord>();
      if (written && opts.dismissFlags) await dismissFlags(deps, c);
      return written;
    });
    if (!moved) throw new Conflict('The comment changed meanwhile; reload it.');
    await countVisible(deps, moved, c.status, to);
    return moved;
  });
  await moveTally(deps, updated.author.userId, c.status, to);
  await syncQueue(deps, updated);
  await announceMove(deps, updated, c.status);
  return updated;
}

/** Marks the comment's standing flags dismissed; the caller holds the comment's lock and sets its flagCount to 0 in that turn. */
export async function dismissFlags(deps: Pick<ForumDeps, 'db'>, c: Pick<CommentRecord, '_id'>): Promise<void> {
  await flagModel(deps.db.conn).updateMany({ commentId: c._id, dismissed: mongoose.trusted({ $ne: true }) }, { $set: { dismissed: true } });
}

/**
 * The song's commentCount counts visible comments: +1 when one becomes visible, -1 when one stops being. Runs
 * holding the song's lock (moveComment).
 */
async function countVisible(deps: MoveDeps, c: CommentRecord, from: CommentStatus, to: CommentStatus): Promise<void> {
  const delta = (to === 'visible' ? 1 : 0) - (from === 'visible' ? 1 : 0);
  if (delta) {
    const update: Record<string, unknown> = { $inc: { commentCount: delta } };
    if (delta > 0) update.$max = { lastCommentAt: c.createdAt, activityAt: c.createdAt };
    await songModel(deps.db.conn).updateOne({ _id: c.songId }, update);
  }
  // A parent's replyCount counts the replies readers see, removed placeholders included (comments/recount.ts).
  const shown = (s: CommentStatus) => (s === 'visible' || s === 'removed' ? 1 : 0);
  const replies = shown(to) - shown(from);
  const parentId = c.parentId;
  if (replies && parentId) {
    await deps.threads.moveCounters(`comment:${parentId}`, () => commentModel(deps.db.conn).updateOne({ _id: parentId }, { $inc: { replyCount: replies } }));
  }
}

async function announceMove(deps: MoveDeps, c: CommentRecord, from: CommentStatus): Promise<void> {
  const comment = toCommentDTO(c);
  const songId = String(c.songId);
  const removal = { id: comment.id, songId, removedBy: comment.removedBy, ...(comment.parentId ? { parentId: comment.parentId } : {}) };
  // Removed, it stays a placeholder; rejected or held again, readers no longer see it at all.
  if (from === 'visible') await publish(deps, 'comment.removed', c.status === 'removed' ? removal : { ...removal, gone: true });
  if (c.status === 'visible' || c.status === 'pending') {
    const songSlug = (await slugOfSong(deps, c.songId)) ?? '';
    // Approval is a new comment to readers, exactly as a post is; a held one goes to its author alone.
    await publish(deps, c.status === 'visible' ? 'comment.created' : 'comment.held', { comment: { ...comment, songSlug }, songSlug });
  }
  if (c.status === 'rejected') await publish(deps, 'comment.rejected', { comment });
  if (c.status === 'removed' && from !== 'visible') await publish(deps, 'comment.removed', removal);
}
