// The socket.io server of one forum instance: typed events, one room per thread, the session bridge,
// the Redis streams adapter and shared presence when REDIS_URL is set, and the bus -> room broadcasts.
import type { Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import { Server } from 'socket.io';
import type { UserDTO } from '../../shared/types';
import { isModerator } from '../accounts/policy';
import type { ForumDeps } from '../deps';
import { slugOfSong } from '../songs/service';
import { addressReader } from './address';
import { attachRedisAdapter, type AdapterHandle } from './adapter';
import { relayBusToRooms } from './broadcasts';
import { createConnectionCounter, limitConnectionsPerAddress } from './connection-limit';
import { connectionContexts } from './context';
import { localPresence, redisPresence, type Presence } from './presence';
import { MODERATION_ROOM, sessionRoom, threadRoom, threadsOf, userRoom } from './rooms';
import { bridgeSession, releaseHandshake } from './session-bridge';
import { threadFollowing } from './threads';
import type { ForumIo, ForumSocket, SocketContext, SocketEventHandler, SocketFeature } from './types';

export interface Realtime {
  io: ForumIo;
  /** Disconnects every socket and the adapter; leaves the http server to its owner. */
  close(): Promise<void>;
}

type Listener = (this: ForumSocket, payload: unknown, ack: unknown) => void;

/** One listener per socket event for the whole instance: each connection registers the same functions. */
function socketListeners(features: SocketFeature[], contextOf: (socket: ForumSocket) => SocketContext): [keyof SocketFeature, Listener][] {
  const byEvent = new Map<keyof SocketFeature, SocketEventHandler>();
  for (const feature of features) {
    for (const [event, handle] of Object.entries(feature) as [keyof SocketFeature, SocketEventHandler][]) {
      if (byEvent.has(event)) throw new Error(`two features handle the socket event ${event}`);
      byEvent.set(event, handle);
    }
  }
  return [...byEvent].map(([event, handle]) => [
    event,
    function (this: ForumSocket, payload: unknown, ack: unknown) {
      handle(this, contextOf(this), payload, ack);
    },
  ]);
}

/** Presence notices are coalesced per thread: a crowd arriving costs one notice per window, not one per arrival. */
const PRESENCE_WINDOW_MS = 200;
/** How often an instance re-counts the threads its readers are in, to catch counts that moved elsewhere. */
const PRESENCE_RECHECK_MS = 15_000;

/** `features`' handlers (comments/live.ts: posting) listen on every connection, beside thread following's. */
export async function createIo(deps: ForumDeps, httpServer: HttpServer, session: RequestHandler[], features: SocketFeature[]): Promise<Realtime> {
  const io: ForumIo = new Server(httpServer, {
    serveClient: false,
    // Websocket first; polling stays as the fallback for networks that block upgrades.
    transports: ['websocket', 'polling'],
    // Comments are small JSON: compression would cost more CPU and memory per socket than it saves.
    perMessageDeflate: false,
    maxHttpBufferSize: 100_000,
    // A short drop (tunnel, Wi-Fi switch) replays what was missed; after that the client pages with ?after=.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
  });
  bridgeSession(io, session, deps);

  // Per database as well: the instances of one forum share streams and presence, two forums on one Redis never do.
  const prefix = `${deps.config.redisPrefix}:${deps.db.conn.name}`;
  const addressOf = addressReader(deps.config);
  const connections = createConnectionCounter(deps.config.maxSocketsPerAddress, deps.redis, prefix, deps.logger);
  limitConnectionsPerAddress(io, connections, (s) => addressOf(s.request), deps.config.maxSocketsPerAddress);
  const adapter: AdapterHandle | null = deps.redis ? await attachRedisAdapter(io, deps.redis, prefix) : null;
  const presence: Presence = deps.redis ? redisPresence(io, deps.redis, prefix) : localPresence(io);
  const announcer = presenceAnnouncer(io, presence, (songId) => slugOfSong(deps, songId));
  const stopRelay = relayBusToRooms(io, deps.bus, (err, event) => deps.logger.error({ err, event }, 'live broadcast failed'));
  const contexts = connectionContexts(deps.logger, addressOf);
  const following = threadFollowing({ deps, presence, announcePresence: announcer.announce });
  const listeners = socketListeners([following, ...features], contexts.of);
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const settled = p.catch((err) => deps.logger.warn({ err }, 'presence update failed')).finally(() => pending.delete(settled));
    pending.add(settled);
  };

  io.on('connection', (socket) => {
    try {
      onConnection(socket);
    } catch (err) {
      // A listener that throws here would take the process down with it: drop this one connection instead.
      deps.logger.error({ err }, 'socket connection setup failed');
      socket.disconnect(true);
    }
  });

  // Shared by every connection, like the event listeners: socket.io calls them with the socket as `this`.
  function onDisconnecting(this: ForumSocket) {
    for (const songId of threadsOf(this.rooms)) track(presence.leave(songId, this.id).then(() => announcer.announce(songId)));
  }

  function onConnection(socket: ForumSocket) {
    // Who the socket is comes from its handshake's session, recovered or not: a session ended meanwhile is no member.
    const request = socket.request as { user?: UserDTO; sessionID?: string };
    socket.data.user = request.user ?? null;
    if (socket.data.user && request.sessionID) void socket.join(sessionRoom(request.sessionID));
    if (socket.data.user) void socket.join(userRoom(socket.data.user.id));
    // A recovered socket is back in its rooms without joining again: count it as reading them again. The moderators'
    // room only if it is still a moderator's (a role taken away closes its connections: realtime/broadcasts.ts).
    if (socket.recovered) for (const songId of threadsOf(socket.rooms)) track(presence.enter(songId, socket.id).then(() => announcer.announce(songId)));
    if (socket.recovered && socket.rooms.has(MODERATION_ROOM) && !isModerator(socket.data.user)) void socket.leave(MODERATION_ROOM);
    for (const [event, listener] of listeners) socket.on(event, listener as never);
    socket.on('disconnecting', onDisconnecting);
    contexts.open(socket);
    // After every 'connection' listener has read what it needs from the handshake (they run synchronously).
    process.nextTick(releaseHandshake, socket);
  }

  return {
    io,
    close: async () => {
      stopRelay();
      // Closing the engine drops every connection as a transport close: browsers reconnect (to another
      // instance behind the balancer) and recover their session. io.close() would also close the http server.
      io.engine.close();
      await Promise.allSettled([...pending]);
      announcer.close();
      connections.close();
      await presence.close();
      // The in-memory adapter's recovery sweep is a timer of its own; the Redis one closes with its handle.
      if (adapter) await adapter.close();
      else await io.of('/').adapter.close();
    },
  };
}

/** Threads are named by song id; `presence` notices name them by slug, learnt at join or looked up once. */
function presenceAnnouncer(io: ForumIo, presence: Presence, lookUpSlug: (songId: string) => Promise<string | null>) {
  /** song id -> announce even when the count is the one this instance last sent. */
  const due = new Map<string, boolean>();
  const lastSent = new Map<string, number>();
  const slugs = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const slugOf = async (songId: string) => {
    const known = slugs.get(songId);
    if (known) return known;
    const slug = await lookUpSlug(songId);
    if (slug) slugs.set(songId, slug);
    return slug;
  };
  const flush = () => {
    timer = null;
    for (const [songId, always] of due) {
      Promise.all([presence.count(songId), slugOf(songId)]).then(
        ([count, slug]) => {
          if (closed || !slug || (!always && lastSent.get(songId) === count)) return;
          lastSent.set(songId, count);
          io.to(threadRoom(songId)).emit('presence', { slug, count });
        },
        () => {},
      );
    }
    due.clear();
  };
  const schedule = (songId: string, always: boolean) => {
    if (closed) return;
    due.set(songId, always || (due.get(songId) ?? false));
    timer ??= setTimeout(flush, PRESENCE_WINDOW_MS);
  };
  // Counts also change without a join or leave here (another instance's readers age out after a crash):
  // each instance re-checks its own threads now and then and tells their readers when the count moved.
  const recheck = setInterval(() => {
    for (const songId of threadsOf(io.of('/').adapter.rooms.keys())) schedule(songId, false);
    for (const songId of lastSent.keys()) {
      if (io.of('/').adapter.rooms.has(threadRoom(songId))) continue;
      lastSent.delete(songId);
      slugs.delete(songId);
    }
  }, PRESENCE_RECHECK_MS);
  recheck.unref();
  return {
    announce: (songId: string, slug?: string) => {
      if (slug) slugs.set(songId, slug);
      schedule(songId, true);
    },
    close: () => {
      closed = true;
      clearInterval(recheck);
      if (timer) clearTimeout(timer);
      due.clear();
    },
  };
}
