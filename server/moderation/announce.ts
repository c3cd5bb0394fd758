// Moderation's own announcements (the queue, bans) on the forum bus; realtime/ relays them to moderators' sockets
// and members' own. Thread changes go through comments/publish.ts as every other write to a thread does.
import type { ForumBus, ModerationEvents } from '../bus';

export function announce<E extends keyof ModerationEvents>(deps: { bus: ForumBus }, event: E, ...payload: ModerationEvents[E]): void {
  (deps.bus.emit as (e: E, ...p: ModerationEvents[E]) => boolean)(event, ...payload);
}
