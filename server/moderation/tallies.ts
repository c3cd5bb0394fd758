// Each member's comments by status (visible, rejected, removed): premoderation "new" asks how many of a member's
// comments are visible, the queue shows a comment's author history. A tally is counted from the comments the first
// time it is needed (from the author.userId index), then moved with every status change.
import type { CommentStatus } from '../../shared/types';
import { commentModel } from '../comments/model';
import { isDuplicateKey } from '../db/connection';
import type { ForumDeps } from '../deps';
import { tallyModel, type TallyRecord } from './model';

type Deps = Pick<ForumDeps, 'db' | 'threads'>;
const TALLIED = ['visible', 'rejected', 'removed'] as const;
type Tallied = (typeof TALLIED)[number];
const tallied = (s: CommentStatus | null): s is Tallied => (TALLIED as readonly string[]).includes(s ?? '');

export type Tally = Pick<TallyRecord, Tallied>;

export async function tallyOf(deps: Pick<ForumDeps, 'db'>, userId: string): Promise<Tally> {
  const Tallies = tallyModel(deps.db.conn);
  const kept = await Tallies.findOne({ _id: userId }).lean<TallyRecord>();
  if (kept) return { visible: kept.visible ?? 0, rejected: kept.rejected ?? 0, removed: kept.removed ?? 0 };
  const Comments = commentModel(deps.db.conn);
  const [visible, rejected, removed] = await Promise.all(TALLIED.map((status) => Comments.countDocuments({ 'author.userId': userId, status })));
  try {
    await Tallies.create({ _id: userId, visible, rejected, removed });
  } catch (err) {
    // Counted twice at once: the first one stands.
    if (!isDuplicateKey(err)) throw err;
    return tallyOf(deps, userId);
  }
  return { visible, rejected, removed };
}

/** Moves a member's tally with a comment's status change (`from` null: a new comment). */
export async function moveTally(deps: Deps, userId: string | null, from: CommentStatus | null, to: CommentStatus): Promise<void> {
  if (!userId || from === to) return;
  const inc: Record<string, number> = {};
  if (tallied(from)) inc[from] = -1;
  if (tallied(to)) inc[to] = 1;
  if (!Object.keys(inc).length) return;
  // A tally not yet counted counts this change too when it is.
  if (!(await tallyModel(deps.db.conn).exists({ _id: userId }))) return;
  await deps.threads.moveCounters(`member:${userId}`, () => tallyModel(deps.db.conn).updateOne({ _id: userId }, { $inc: inc }));
}
