// Every write to a thread is announced here, once, after the database write: the thread's version moves first (so
// the next read on any instance misses its cached pages), then the bus carries the event to the live rooms
// (realtime/broadcasts.ts) and to anything else that must know the thread changed.
import type { ForumBus, ThreadEvents } from '../bus';
import type { ForumDeps } from '../deps';

/** The thread an event is about. */
export const threadOf = (payload: ThreadEvents[keyof ThreadEvents][0]): string => ('comment' in payload ? payload.comment.songId : payload.songId);

export async function publish<E extends keyof ThreadEvents>(
  deps: { bus: ForumBus } & Pick<ForumDeps, 'threadCache'> & Partial<Pick<ForumDeps, 'logger'>>,
  event: E,
  ...payload: ThreadEvents[E]
): Promise<void> {
  await deps.threadCache.threadChanged(threadOf(payload[0]));
  (deps.bus.emit as (e: E, ...p: ThreadEvents[E]) => boolean)(event, ...payload);
}
