// Notifications hear of comments on the bus: `comment.created` is published when a comment becomes visible to
// readers (posted visible, or approved later by a moderator), so both notify alike; anything not visible is skipped.
import type { ForumDeps } from '../deps';
import { notifyAbout } from './service';

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
  deps.bus.on('comment.created', onCreated);
  return {
    close: async () => {
      deps.bus.off('comment.created', onCreated);
      await Promise.allSettled([...pending]);
    },
  };
}
