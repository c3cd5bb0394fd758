// At most MAX_SOCKETS_PER_ADDRESS live sockets per client address (as Express sees it, TRUST_PROXY applied), so one
// machine cannot hold thousands of connections and the memory they cost. A socket over the cap is refused at the
// handshake with a connect_error whose data is {code: 'TOO_MANY_CONNECTIONS', message}.
//
// With Redis the count is shared by every instance: one sorted set per address, member = socket id, score = when the
// entry expires. Each instance refreshes the entries of its own sockets on a heartbeat and removes them at
// disconnect, so the sockets of a crashed instance age out within ENTRY_TTL_MS instead of holding places for ever.
// While Redis is away each instance counts its own sockets only: readers keep connecting, still capped locally.
import { ipKeyGenerator } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ForumIo, ForumSocket } from './types';

const HEARTBEAT_MS = 10_000;
const ENTRY_TTL_MS = 30_000;

export interface ConnectionCounter {
  /** Counts a new socket of the address and answers true, or answers false (counting nothing) at the cap. */
  admit(address: string, socketId: string): Promise<boolean>;
  /** Counts a socket without asking: one that recovered its earlier connection, already admitted once. */
  add(address: string, socketId: string): Promise<void>;
  release(address: string, socketId: string): Promise<void>;
  close(): void;
}

/** This instance's own sockets per address: the whole count without Redis, the fallback and the heartbeat with it. */
function localCounts() {
  const byAddress = new Map<string, Set<string>>();
  return {
    byAddress,
    size: (address: string) => byAddress.get(address)?.size ?? 0,
    add(address: string, socketId: string) {
      let ids = byAddress.get(address);
      if (!ids) byAddress.set(address, (ids = new Set()));
      ids.add(socketId);
    },
    remove(address: string, socketId: string) {
      const ids = byAddress.get(address);
      if (!ids) return;
      ids.delete(socketId);
      if (!ids.size) byAddress.delete(address);
    },
  };
}

export function createConnectionCounter(max: number, redis: Redis | null, prefix: string, logger: Logger): ConnectionCounter {
  const local = localCounts();
  if (!redis) {
    return {
      admit: async (address, socketId) => {
        if (local.size(address) >= max) return false;
        local.add(address, socketId);
        return true;
      },
      add: async (address, socketId) => local.add(address, socketId),
      release: async (address, socketId) => local.remove(address, socketId),
      close: () => {},
    };
  }

  const key = (address: string) => `${prefix}:conns:${address}`;
  const heartbeat = setInterval(() => {
    const expires = Date.now() + ENTRY_TTL_MS;
    const batch = redis.pipeline();
    for (const [address, ids] of local.byAddress) batch.zadd(key(address), ...[...ids].flatMap((id) => [expires, id])).pexpire(key(address), ENTRY_TTL_MS);
    if (batch.length) batch.exec().catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const record = async (address: string, socketId: string) => {
    const now = Date.now();
    const res = await redis
      .multi()
      .zremrangebyscore(key(address), '-inf', now)
      .zadd(key(address), now + ENTRY_TTL_MS, socketId)
      .pexpire(key(address), ENTRY_TTL_MS)
      .zcard(key(address))
      .exec();
    return Number(res?.[3]?.[1] ?? 0);
  };

  return {
    admit: async (address, socketId) => {
      try {
        // Add first, then count: two instances admitting at once can both refuse at the edge, never both exceed it.
        if ((await record(address, socketId)) > max) {
          await redis.zrem(key(address), socketId);
          return false;
        }
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'connection count unavailable in Redis; counting this instance only');
        if (local.size(address) >= max) return false;
      }
      local.add(address, socketId);
      return true;
    },
    add: async (address, socketId) => {
      local.add(address, socketId);
      await record(address, socketId).catch(() => {});
    },
    release: async (address, socketId) => {
      local.remove(address, socketId);
      await redis.zrem(key(address), socketId).catch(() => {});
    },
    close: () => clearInterval(heartbeat),
  };
}

export const TOO_MANY_CONNECTIONS = 'TOO_MANY_CONNECTIONS';

/** Refuses sockets beyond the cap at the handshake; counts every socket until its connection closes. */
export function limitConnectionsPerAddress(io: ForumIo, counter: ConnectionCounter, addressOf: (socket: ForumSocket) => string, max: number): void {
  // IPv6 addresses are grouped by their /56 prefix, as the rate limits do: one machine holds many addresses there.
  const keyOf = (socket: ForumSocket) => ipKeyGenerator(addressOf(socket) || 'unknown');
  // Each counted socket's address, until it is released. The listeners below are shared by every socket (socket.io
  // and engine.io call them with the socket as `this`), so a held connection costs an entry here, not closures.
  const counted = new WeakMap<ForumSocket, string>();
  const socketOf = new WeakMap<ForumSocket['conn'], ForumSocket>();
  const release = (socket: ForumSocket) => {
    const address = counted.get(socket);
    if (address === undefined) return;
    counted.delete(socket);
    void counter.release(address, socket.id);
  };
  function onDisconnect(this: ForumSocket) {
    release(this);
  }
  function onTransportClose(this: ForumSocket['conn']) {
    const socket = socketOf.get(this);
    if (socket) release(socket);
  }
  const releaseOnClose = (socket: ForumSocket, address: string) => {
    counted.set(socket, address);
    socketOf.set(socket.conn, socket);
    // A socket whose client vanished before its connection completed never emits disconnect: its transport closes.
    socket.on('disconnect', onDisconnect);
    socket.conn.on('close', onTransportClose);
  };

  io.use((socket, next) => {
    const address = keyOf(socket);
    counter.admit(address, socket.id).then(
      (admitted) => {
        if (!admitted) {
          const message = `Too many connections from your address (at most ${max}); close some tabs and try again.`;
          return next(Object.assign(new Error(message), { data: { code: TOO_MANY_CONNECTIONS, message } }));
        }
        // Its client went while the count was asked (Redis is a round trip away): its transport has closed already and
        // will not say so again, so its place is given back now rather than held for ever.
        if (socket.conn.readyState === 'closed') {
          void counter.release(address, socket.id);
          return next(new Error('The connection closed during its handshake.'));
        }
        releaseOnClose(socket, address);
        next();
      },
      (err: unknown) => next(err as Error),
    );
  });
  // A socket that recovers its session skips the middlewares: count it here, so drops and recoveries cannot evade the cap.
  io.on('connection', (socket) => {
    if (!socket.recovered) return;
    const address = keyOf(socket);
    void counter.add(address, socket.id);
    releaseOnClose(socket, address);
  });
}
