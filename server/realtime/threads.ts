// Following threads over a connection: join and leave a thread's room (with its reader count), and typing notices.
import { joinInput, typingInput } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { Conflict, RateLimited, Unauthenticated } from '../errors';
import { songIdBySlug } from '../songs/service';
import { handler } from './acks';
import type { Presence } from './presence';
import { threadRoom, threadsOf } from './rooms';
import type { ForumSocket, SocketContext } from './types';

/** A reader may follow a few threads at once (tabs), not the whole forum. */
const MAX_THREADS_PER_SOCKET = 20;
/** Each join reads the database: a connection gets this many a minute (tabs and reconnects fit easily). */
const MAX_JOINS_PER_MINUTE = 60;
/** Posts of one connection waiting for their turn to be written. */
const MAX_QUEUED_WRITES = 20;
/** At most one typing notice per socket and thread in this window; the browser shows it a few seconds. */
export const TYPING_THROTTLE_MS = 2000;

export interface ThreadFollowing {
  deps: Pick<ForumDeps, 'db' | 'songIds' | 'config'>;
  presence: Presence;
  /** Tells a thread's readers its new reader count (coalesced by the caller); remembers the thread's slug. */
  announcePresence(songId: string, slug?: string): void;
}

/** The per-connection write queue of SocketContext.inTurn. */
export function writeQueue(): SocketContext['inTurn'] {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  return <T>(run: () => Promise<T>): Promise<T> => {
    // A socket that floods writes faster than they are stored is refused instead of queued without end.
    if (waiting >= MAX_QUEUED_WRITES) return Promise.reject(new RateLimited('Too many posts in flight; wait for the answers.'));
    waiting++;
    const turn = tail.then(run).finally(() => waiting--);
    tail = turn.catch(() => {});
    return turn;
  };
}

export function registerThreadFollowing(socket: ForumSocket, ctx: SocketContext, f: ThreadFollowing): void {
  const lastTyping = new Map<string, number>();
  let joinWindow = { start: 0, joins: 0 };
  const spendJoin = () => {
    const now = Date.now();
    if (now - joinWindow.start >= 60_000) joinWindow = { start: now, joins: 0 };
    if (++joinWindow.joins > MAX_JOINS_PER_MINUTE) throw new RateLimited('Too many threads joined; try again in a minute.');
  };

  socket.on(
    'thread:join',
    handler(ctx, joinInput, async ({ slug }) => {
      spendJoin();
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
  );

  socket.on(
    'thread:leave',
    handler(ctx, joinInput, async ({ slug }) => {
      const songId = f.deps.songIds.get(slug);
      const room = songId && threadRoom(String(songId));
      if (!room || !socket.rooms.has(room)) return {};
      await socket.leave(room);
      await f.presence.leave(String(songId), socket.id);
      f.announcePresence(String(songId));
      return {};
    }),
  );

  socket.on(
    'typing',
    handler(ctx, typingInput, async ({ slug, name: guestName }) => {
      const songId = f.deps.songIds.get(slug);
      const room = songId && threadRoom(String(songId));
      if (!room || !socket.rooms.has(room)) throw new Conflict('Join the thread first.', 'NOT_IN_THREAD');
      // Members type under their own name; a guest under the name in their form, where guests may post at all.
      const name = socket.data.user?.displayName ?? (f.deps.config.guestPosting ? (guestName ?? socket.data.guestName) : undefined);
      if (!name) throw new Unauthenticated('Sign in (or give your name as a guest) to show that you are typing.');
      const now = Date.now();
      if (now - (lastTyping.get(slug) ?? 0) < TYPING_THROTTLE_MS) return {};
      lastTyping.set(slug, now);
      // Volatile: a typing notice is worth nothing later, so it is neither buffered nor replayed on recovery.
      socket.to(room).volatile.emit('typing', socket.data.user ? { slug, name } : { slug, name, guest: true });
      return {};
    }),
  );
}
