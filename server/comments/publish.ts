// Every write to a thread is announced here, once, after the database write: the thread's version moves first (so
// the next read on any instance misses its cached pages), logging the comments whose records the write changed (so
// kept records of them are read again), then the bus carries the event to the live rooms (realtime/broadcasts.ts)
// and to anything else that must know the thread changed.
import type { ForumBus, ThreadEvents } from '../bus';
import type { ThreadChange } from '../cache';
import type { ForumDeps } from '../deps';

type Payload = ThreadEvents[keyof ThreadEvents][0];

/** The thread an event is about. */
export const threadOf = (payload: Payload): string => ('comment' in payload ? payload.comment.songId : payload.songId);

const withParent = (id: string, parentId: string | null | undefined): string[] => (parentId ? [id, parentId] : [id]);

/**
 * The comment records each event's write changed. A new, approved, held, rejected or removed comment may have moved
 * its parent's replyCount (transitions.ts countVisible, post.ts), so the parent is named too; a rename rewrote every
 * comment of its author in the thread.
 */
const CHANGED: { [E in keyof ThreadEvents]: (p: ThreadEvents[E][0]) => ThreadChange } = {
  'comment.created': (p) => withParent(p.comment.id, p.comment.parentId),
  'comment.held': (p) => withParent(p.comment.id, p.comment.parentId),
  'comment.rejected': (p) => withParent(p.comment.id, p.comment.parentId),
  'comment.removed': (p) => withParent(p.id, p.parentId),
  'comment.updated': (p) => [p.comment.id],
  'comment.voted': (p) => [p.id],
  'comment.author-renamed': () => 'all',
};

const changedBy = <E extends keyof ThreadEvents>(event: E, payload: ThreadEvents[E][0]): ThreadChange => CHANGED[event](payload);

export async function publish<E extends keyof ThreadEvents>(
  deps: { bus: ForumBus } & Pick<ForumDeps, 'threadCache'> & Partial<Pick<ForumDeps, 'logger'>>,
  event: E,
  ...payload: ThreadEvents[E]
): Promise<void> {
  await deps.threadCache.threadChanged(threadOf(payload[0]), changedBy(event, payload[0]));
  (deps.bus.emit as (e: E, ...p: ThreadEvents[E]) => boolean)(event, ...payload);
}
