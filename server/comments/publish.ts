// Every write to a thread is announced here, once, after the database write: the bus carries it to the live
// rooms (realtime/broadcasts.ts) and to anything else that must know the thread changed.
import type { ForumBus, ThreadEvents } from '../bus';
import type { ForumDeps } from '../deps';

export async function publish<E extends keyof ThreadEvents>(deps: { bus: ForumBus } & Partial<Pick<ForumDeps, 'logger'>>, event: E, ...payload: ThreadEvents[E]): Promise<void> {
  (deps.bus.emit as (e: E, ...p: ThreadEvents[E]) => boolean)(event, ...payload);
}
