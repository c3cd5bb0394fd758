// Following threads over a connection: join and leave a thread's room (with its reader count), and typing notices.
// The handlers are made once per instance; what each connection needs remembered (its joins this minute, when it
// last said it was typing) is kept beside the socket, made when first needed.
import { joinInput, typingInput } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { Conflict, RateLimited, Unauthenticated } from '../errors';
import { songIdBySlug } from '../songs/service';
import { socketEvent } from './acks';
import type { Presence } from './presence';
import { threadRoom, threadsOf } from './rooms';
import type { ForumSocket, SocketFeature } from './types';

/** A reader may follow a few threads at once (tabs), not the whole forum. */
const MAX_THREADS_PER_SOCKET = 20;
/** Each join reads the database: a connection gets this many a minute (tabs and reconnects fit easily). */
const MAX_JOINS_PER_MINUTE = 60;
/** At most one typing notice per socket and thread in this window; the browser shows it a few seconds. */
export const TYPING_THROTTLE_MS = 2000;

export interface ThreadFollowing {
  deps: Pick<ForumDeps, 'db' | 'songIds' | 'config' | 'settings'>;
  presence: Presence;
  /** Tells a thread's readers its new reader count (coalesced by the caller); remembers the thread's slug. */
  announcePresence(songId: string, slug?: string): void;
}

export function threadFollowing(f: ThreadFollowing): SocketFeature {
  const joinWindows = new WeakMap<ForumSocket, { start: number; joins: number }>();
  const lastTyping = new WeakMap<ForumSocket, Map<string, number>>();
  const spendJoin = (socket: ForumSocket) => {
    const now = Date.now();
    let window = joinWindows.get(socket);
    if (!window || now - window.start >= 60_000) joinWindows.set(socket, (window = { start: now, joins: 0 }));
    if (++window.joins > MAX_JOINS_PER_MINUTE) throw new RateLimited('Too many threads joined; try again in a minute.');
  };

  return {
    'thread:join': socketEvent(joinInput, async ({ slug }, socket) => {
      spendJoin(socket);
      const songId = String(await songIdBySlug(f.deps, slug)); // NotFound for a thread that does not exist
      const room = threadRoom(songId);
      if (!socket.rooms.has(room) && threadsOf(socket.rooms).length >= MAX_THREADS_PER_SOCKET) {
        throw new RateLimited(`A connection may follow at most ${MAX_THREADS_PER_SOCKET} threads.`, undefined, 'TOO_MANY_THREADS');
      }
      await socket.join(room);
      const count = await f.presence.enter(songId, socket.id);
      f.announcePresence(songId, slug);
      return { presence: count };
    }),

    'thread:leave': socketEvent(joinInput, async ({ slug }, socket) => {
      const songId = f.deps.songIds.get(slug);
      const room = songId && threadRoom(String(songId));
      if (!room || !socket.rooms.has(room)) return {};
      await socket.leave(room);
      await f.presence.leave(String(songId), socket.id);
      f.announcePresence(String(songId));
      return {};
    }),

    typing: socketEvent(typingInput, async ({ slug, name: guestName }, socket) => {
      const songId = f.deps.songIds.get(slug);
      const room = songId && threadRoom(String(songId));
      if (!room || !socket.rooms.has(room)) throw new Conflict('Join the thread first.', 'NOT_IN_THREAD');
      // Members type under their own name; a guest under the name in their form, where guests may post at all.
      const name = socket.data.user?.displayName ?? (f.deps.settings.current().guestPosting ? (guestName ?? socket.data.guestName) : undefined);
      if (!name) throw new Unauthenticated('Sign in (or give your name as a guest) to show that you are typing.');
      const now = Date.now();
      let typed = lastTyping.get(socket);
      if (now - (typed?.get(slug) ?? 0) < TYPING_THROTTLE_MS) return {};
      if (!typed) lastTyping.set(socket, (typed = new Map()));
      typed.set(slug, now);
      // Volatile: a typing notice is worth nothing later, so it is neither buffered nor replayed on recovery.
      socket.to(room).volatile.emit('typing', socket.data.user ? { slug, name } : { slug, name, guest: true });
      return {};
    }),
  };
}
