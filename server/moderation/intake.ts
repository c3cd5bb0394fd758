// What moderation keeps of a new comment once it is written: its author's tally, and the queue for a held one.
import type { CommentRecord } from '../comments/model';
import type { ForumDeps } from '../deps';
import { syncQueue } from './queue';
import { moveTally } from './tallies';

export async function noteNewComment(deps: Pick<ForumDeps, 'db' | 'bus' | 'threads' | 'logger'>, c: CommentRecord): Promise<void> {
  try {
    await moveTally(deps, c.author.userId, null, c.status);
    if (c.status !== 'visible') await syncQueue(deps, c);
  } catch (err) {
    // The comment is stored and announced: bookkeeping that failed must not turn its post into an error.
    deps.logger.warn({ err, id: String(c._id) }, 'moderation bookkeeping of a new comment failed');
  }
}
