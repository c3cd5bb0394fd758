// Presence: how many readers (sockets) each thread has, across every instance of the forum.
//
// With Redis: one sorted set per thread, member = socket id, score = when that entry expires. Each instance
// refreshes the entries of its own sockets on a heartbeat, so the sockets of a crashed instance age out
// within ENTRY_TTL_MS instead of being counted for ever; a count is one round trip (no fetchSockets() fan-out
// that would wait for a dead instance's timeout). Without Redis there is one instance: the local room size.
import type { Redis } from 'ioredis';
import { threadRoom, threadsOf } from './rooms';
import type { ForumIo } from './types';

/** Threads are named by their song id, as their rooms are. */
export interface Presence {
  /** Records that a socket reads the thread (it has joined the room); resolves with the thread's reader count. */
  enter(songId: string, socketId: string): Promise<number>;
  /** Records that a socket stopped reading the thread; resolves with the new count. */
  leave(songId: string, socketId: string): Promise<number>;
  count(songId: string): Promise<number>;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;
const ENTRY_TTL_MS = 30_000;

export function localPresence(io: ForumIo): Presence {
  const count = async (songId: string) => io.of('/').adapter.rooms.get(threadRoom(songId))?.size ?? 0;
  return { enter: (songId) => count(songId), leave: (songId) => count(songId), count, close: async () => {} };
}

export function redisPresence(io: ForumIo, redis: Redis, prefix: string): Presence {
  const key = (songId: string) => `${prefix}:presence:${songId}`;

  const count = async (songId: string) => {
    const res = await redis.multi().zremrangebyscore(key(songId), '-inf', Date.now()).zcard(key(songId)).exec();
    return Number(res?.[1]?.[1] ?? 0);
  };

  const heartbeat = setInterval(() => {
    const expires = Date.now() + ENTRY_TTL_MS;
    const batch = redis.pipeline();
    for (const [room, ids] of io.of('/').adapter.rooms) {
      const [songId] = threadsOf([room]);
      if (songId === undefined || ids.size === 0) continue;
      batch.zadd(key(songId), ...[...ids].flatMap((id) => [expires, id]));
      batch.pexpire(key(songId), ENTRY_TTL_MS);
    }
    if (batch.length) batch.exec().catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();

  // While Redis is away a thread's count is this instance's readers: joining and leaving keep working.
  const local = localPresence(io);
  const orLocal = <T extends unknown[]>(f: (slug: string, ...rest: T) => Promise<number>) => (slug: string, ...rest: T) => f(slug, ...rest).catch(() => local.count(slug));

  return {
    enter: orLocal(async (songId: string, socketId: string) => {
      const now = Date.now();
      const res = await redis
        .multi()
        .zadd(key(songId), now + ENTRY_TTL_MS, socketId)
        .pexpire(key(songId), ENTRY_TTL_MS)
        .zremrangebyscore(key(songId), '-inf', now)
        .zcard(key(songId))
        .exec();
      return Number(res?.[3]?.[1] ?? 0);
    }),
    leave: orLocal(async (songId: string, socketId: string) => {
      await redis.zrem(key(songId), socketId);
      return count(songId);
    }),
    count: orLocal(count),
    close: async () => clearInterval(heartbeat),
  };
}
