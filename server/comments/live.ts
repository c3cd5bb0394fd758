// Thin socket adapters for a song's thread room: join/leave, post, typing. The same services and rules as HTTP;
// every handler validates with the shared schema and answers its ack with the shared error mapping.
import { joinInput, socketPostInput, typingInput } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { HttpError } from '../http/errors';
import { handler } from '../realtime/acks';
import type { Presence } from '../realtime/presence';
import { threadRoom, threadsOf } from '../realtime/rooms';
import type { ForumSocket } from '../realtime/types';
import { findSongBySlug } from '../songs/service';
import { postComment } from './service';

export interface LiveContext {
  deps: ForumDeps;
  presence: Presence;
  /** Tells the thread's readers its new reader count (coalesced by the caller). */
  announcePresence(slug: string): void;
  /** The poster's address, as Express would see it (trust proxy). */
  addressOf(socket: ForumSocket): string;
}

/** A reader may follow a few threads at once (tabs), not the whole forum. */
const MAX_THREADS_PER_SOCKET = 20;
/** Each join reads the database: a connection gets this many a minute (tabs and reconnects fit easily). */
const MAX_JOINS_PER_MINUTE = 60;
/** Posts of one connection waiting for their turn to be written. */
const MAX_QUEUED_POSTS = 20;
/** At most one typing notice per socket and thread in this window; the browser shows it a few seconds. */
export const TYPING_THROTTLE_MS = 2000;

export function registerThreadHandlers(socket: ForumSocket, ctx: LiveContext): void {
  const { deps, presence } = ctx;
  const log = deps.logger.child({ socket: socket.id });
  const lastTyping = new Map<string, number>();
  let joinWindow = { start: 0, joins: 0 };
  const spendJoin = () => {
    const now = Date.now();
    if (now - joinWindow.start >= 60_000) joinWindow = { start: now, joins: 0 };
    if (++joinWindow.joins > MAX_JOINS_PER_MINUTE) throw new HttpError(429, 'RATE_LIMITED', 'Too many threads joined; try again in a minute.');
  };
  // One connection's posts are written one after another: they reach the thread in the order they were sent,
  // and one socket cannot pile up concurrent writes.
  let posting: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    // A socket that floods posts faster than they are written is refused instead of queued without end.
    if (waiting >= MAX_QUEUED_POSTS) return Promise.reject(new HttpError(429, 'RATE_LIMITED', 'Too many posts in flight; wait for the answers.'));
    waiting++;
    const turn = posting.then(run).finally(() => waiting--);
    posting = turn.catch(() => {});
    return turn;
  };

  socket.on(
    'thread:join',
    handler(log, joinInput, async ({ slug }) => {
      spendJoin();
      await findSongBySlug(deps, slug); // 404 NOT_FOUND for a thread that does not exist
      const room = threadRoom(slug);
      if (!socket.rooms.has(room) && threadsOf(socket.rooms).length >= MAX_THREADS_PER_SOCKET) {
        throw new HttpError(429, 'TOO_MANY_THREADS', `A connection may follow at most ${MAX_THREADS_PER_SOCKET} threads.`);
      }
      await socket.join(room);
      const count = await presence.enter(slug, socket.id);
      ctx.announcePresence(slug);
      return { presence: count };
    }),
  );

  socket.on(
    'thread:leave',
    handler(log, joinInput, async ({ slug }) => {
      const room = threadRoom(slug);
      if (!socket.rooms.has(room)) return {};
      await socket.leave(room);
      await presence.leave(slug, socket.id);
      ctx.announcePresence(slug);
      return {};
    }),
  );

  socket.on(
    'comment:post',
    handler(log, socketPostInput, ({ slug, body, parentId, clientId, author }) =>
      inTurn(async () => {
        const user = socket.data.user ?? null;
        const poster = { user, ip: ctx.addressOf(socket), guest: user ? undefined : author };
        const { comment } = await postComment(deps, poster, slug, { body, parentId, clientId });
        // A guest who posted has a name to show when typing.
        if (!user && author) socket.data.guestName = author.name;
        return { comment };
      }),
    ),
  );

  socket.on(
    'typing',
    handler(log, typingInput, async ({ slug }) => {
      const room = threadRoom(slug);
      if (!socket.rooms.has(room)) throw new HttpError(409, 'NOT_IN_THREAD', 'Join the thread first.');
      const name = socket.data.user?.displayName ?? socket.data.guestName;
      if (!name) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in (or post as a guest) to show that you are typing.');
      const now = Date.now();
      if (now - (lastTyping.get(slug) ?? 0) < TYPING_THROTTLE_MS) return {};
      lastTyping.set(slug, now);
      // Volatile: a typing notice is worth nothing later, so it is neither buffered nor replayed on recovery.
      socket.to(room).volatile.emit('typing', { slug, name });
      return {};
    }),
  );
}
