// Notifications hear of comments on the bus: `comment.created` is published when a comment becomes visible to
// readers (posted visible, or approved later by a moderator), so both notify alike; anything not visible is skipped.
// A comment removed, held or rejected settles its notifications; an edit may add a mention (`comment.updated`).
import type { ForumDeps } from '../deps';
import { notifyAbout, settleNotificationsOf } from './service';

export interface NotificationListener {
  /** Stops listening and waits for the notifications being stored (so the database closes after them). */
  close(): Promise<void>;
}

export function listenForNotifications(deps: Pick<ForumDeps, 'db' | 'bus' | 'logger' | 'memberCache'>): NotificationListener {
  const pending = new Set<Promise<void>>();
  const onCreated = ({ comment }: { comment: Parameters<typeof notifyAbout>[1] }) => {
    if (comment.status !== 'visible') return;
    // The writer already has its answer: a failure here is logged, never thrown back at it.
    const work = notifyAbout(deps, comment)
      .catch((err) => deps.logger.error({ err, commentId: comment.id }, 'notifications not stored'))
      .finally(() => pending.delete(work));
    pending.add(work);
  };
  // A comment that leaves readers' sight takes its notifications off the bells.
  const settle = (commentId: string) => {
    const work = settleNotificationsOf(deps, commentId)
      .catch((err) => deps.logger.error({ err, commentId }, 'notifications not settled'))
      .finally(() => pending.delete(work));
    pending.add(work);
  };
  const onRemoved = ({ id }: { id: string }) => settle(id);
  const onHidden = ({ comment }: { comment: { id: string } }) => settle(comment.id);
  // An edit can add a mention (each member is told once), or bring back a comment its hold had settled.
  const onUpdated = onCreated;
  deps.bus.on('comment.created', onCreated);
  deps.bus.on('comment.updated', onUpdated);
  deps.bus.on('comment.removed', onRemoved);
  deps.bus.on('comment.held', onHidden);
  deps.bus.on('comment.rejected', onHidden);
  return {
    close: async () => {
      deps.bus.off('comment.created', onCreated);
      deps.bus.off('comment.updated', onUpdated);
      deps.bus.off('comment.removed', onRemoved);
      deps.bus.off('comment.held', onHidden);
      deps.bus.off('comment.rejected', onHidden);
      await Promise.allSettled([...pending]);
    },
  };
}
