// Each thread's version: a number that every write to the thread moves (after the write), read before a page is
// built from the database. A page is cached under the version read before its build, so a build that raced a write
// is kept under the older version and never served once the write's bump is visible. With Redis the version lives
// there (one GET per read, an INCR per write), so every instance sees a write's bump before the writer answers; without
// it, in this process.
//
// Versions start from a clock reading (µs) rather than 0, so a restarted process or a flushed Redis never hands out a
// version (and an ETag) that once named other content.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface ThreadVersions {
  /** The thread's version now, or null when it cannot be known (Redis away): then nothing cached may be served. */
  current(threadId: string): Promise<number | null>;
  /** Moves the thread's version; called after the write. Never throws (a bump Redis refused is retried). */
  bump(threadId: string): Promise<void>;
  /** Called when what was cached can no longer be trusted (Redis went away, a bump was lost): drop everything. */
  onDoubt(listener: () => void): void;
  close(): void;
}

const clockBase = () => Date.now() * 1000;

export function memoryVersions(): ThreadVersions {
  const base = clockBase();
  const versions = new Map<string, number>();
  return {
    current: async (threadId) => versions.get(threadId) ?? base,
    bump: async (threadId) => void versions.set(threadId, (versions.get(threadId) ?? base) + 1),
    onDoubt: () => {},
    close: () => {},
  };
}

/** The version of a missing key starts at the clock, so it is never lower than a version handed out before a flush. */
const BUMP = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])`;
const START = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

/**
 * `prefix` names the forum and its database (`${redisPrefix}:${dbName}`), as the other keys do; `kind` what is
 * versioned (threads here; members and their inboxes for cache/memo.ts).
 */
export function redisVersions(redis: Redis, prefix: string, logger: Logger, kind = 'thread'): ThreadVersions {
  const key = (threadId: string) => `${prefix}:${kind}-version:${threadId}`;
  const listeners: (() => void)[] = [];
  const doubt = () => listeners.forEach((l) => l());
  // Threads whose bump Redis refused: their pages are not served from the cache here until the bump lands.
  const unbumped = new Set<string>();
  const retry = async () => {
    for (const threadId of [...unbumped]) {
      try {
        await redis.eval(BUMP, 1, key(threadId), clockBase());
        unbumped.delete(threadId);
      } catch {
        return;
      }
    }
  };
  // While the connection is down every read bypasses the cache; what was cached before may have missed a bump.
  const onClose = () => doubt();
  const onReady = () => void retry();
  redis.on('close', onClose);
  redis.on('ready', onReady);
  return {
    async current(threadId) {
      if (redis.status !== 'ready' || unbumped.has(threadId)) return null;
      try {
        const v = (await redis.get(key(threadId))) ?? ((await redis.eval(START, 1, key(threadId), clockBase())) as string);
        return Number(v);
      } catch {
        return null;
      }
    },
    async bump(threadId) {
      try {
        await redis.eval(BUMP, 1, key(threadId), clockBase());
      } catch (err) {
        logger.warn({ err: (err as Error).message, threadId }, 'thread version not moved in Redis; its cached pages are dropped and the bump retried');
        unbumped.add(threadId);
        doubt();
      }
    },
    onDoubt: (listener) => void listeners.push(listener),
    close() {
      redis.off('close', onClose);
      redis.off('ready', onReady);
    },
  };
}
