// Work on one key, one at a time, across every instance that shares a Redis: a per-key lock in Redis around the
// same critical sections the in-process queue (queue.ts) guards. The embedded database's `$inc` is
// read-modify-write, so two instances moving one counter at once lose an increment; with this queue a counter move
// (and the vote swap that decides its delta) or a position claim holds the document's lock in Redis while it runs.
//
// The lock: `SET key token NX PX lease` takes it (retried with a small, growing, jittered backoff while another
// holder has it), a Lua compare-and-delete releases it (only the token that took it can), and while the work runs
// a Lua compare-and-pexpire renews the lease every third of it, so a slow database write never outlives its lock;
// only a holder that stops running (a crashed or frozen process) lets its lease lapse, and then the key is free
// after at most one lease. Within a process the in-process queue goes first, so one instance sends one contender
// per key to Redis, not one per request.
//
// Redis away: taking the lock fails at once (the fail-fast client), and the caller answers 503 REDIS_UNAVAILABLE;
// nothing is ever written unguarded.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Unavailable } from '../../errors';
import { createKeyedQueue, type KeyedQueue } from './queue';

/** How long a lock outlives a holder that stopped renewing it (a crashed instance): other instances wait this long at most. */
export const LOCK_LEASE_MS = 5000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisLockOptions {
  /** Keys are `${prefix}:lock:${key}`: one namespace per forum and database. */
  prefix: string;
  logger?: Logger;
  /** How long a lock holds without renewal (default LOCK_LEASE_MS). */
  leaseMs?: number;
  /** How often a held lock is renewed (default a third of the lease; 0 never: tests of a lapsing lease). */
  renewEveryMs?: number;
  /** How long to wait for a lock before giving up with 503 (default a lease and a second: a dead holder's lease lapses within it). */
  waitMs?: number;
  /** Longest pause between attempts to take a held lock. */
  maxBackoffMs?: number;
}

/** A lock this client holds. */
export interface Lease {
  readonly key: string;
  /** Set when a renewal found the lock gone or taken by another (the lease lapsed while the work still ran). */
  readonly lost: boolean;
  /** Lets go of the lock if it is still this lease's; answers whether it was. */
  release(): Promise<boolean>;
}

export interface RedisLocks {
  /** Waits for the key's lock (bounded by waitMs) and answers the lease; throws when Redis is away. */
  acquire(key: string): Promise<Lease>;
  /** Runs fn holding the key's lock; the lock is let go whatever fn does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRedisLocks(redis: Redis, opts: RedisLockOptions): RedisLocks {
  const leaseMs = opts.leaseMs ?? LOCK_LEASE_MS;
  const renewEveryMs = opts.renewEveryMs ?? Math.floor(leaseMs / 3);
  const waitMs = opts.waitMs ?? leaseMs + 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 20;
  const name = (key: string) => `${opts.prefix}:lock:${key}`;

  const acquire = async (key: string): Promise<Lease> => {
    const k = name(key);
    const token = randomBytes(12).toString('base64url');
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      if ((await redis.set(k, token, 'PX', leaseMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) {
        opts.logger?.warn({ key }, 'gave up waiting for a counter lock');
        throw new Unavailable('REDIS_UNAVAILABLE', 'That is busy for a moment; try again shortly.');
      }
      // 1, 2, 4... ms up to maxBackoffMs, each between half and all of it so two waiters do not keep colliding.
      const cap = Math.min(maxBackoffMs, 2 ** attempt);
      await sleep(cap / 2 + Math.random() * (cap / 2));
    }
    let lost = false;
    let held = true;
    const renewal = renewEveryMs
      ? setInterval(() => {
          redis.eval(RENEW, 1, k, token, String(leaseMs)).then(
            (ok) => {
              if (ok || !held) return;
              lost = true;
              clearInterval(renewal);
              opts.logger?.error({ key }, 'a counter lock lapsed while its work still ran; its thread may need a recount');
            },
            (err: unknown) => opts.logger?.warn({ err, key }, 'could not renew a counter lock'),
          );
        }, renewEveryMs)
      : undefined;
    renewal?.unref();
    return {
      key,
      get lost() {
        return lost;
      },
      async release() {
        held = false;
        clearInterval(renewal);
        return (await redis.eval(RELEASE, 1, k, token)) === 1;
      },
    };
  };

  return {
    acquire,
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const lease = await acquire(key);
      try {
        return await fn();
      } finally {
        // The work is done (or failed) either way: a release Redis cannot take now lapses with the lease.
        await lease.release().catch((err: unknown) => opts.logger?.warn({ err, key }, 'could not release a counter lock; it lapses with its lease'));
      }
    },
  };
}

/**
 * The keyed queue for several instances on one embedded database: in-process order first (queue.ts), then the
 * key's lock in Redis, so no two instances run work of one key at once.
 */
export function createRedisKeyedQueue(redis: Redis, opts: RedisLockOptions): KeyedQueue {
  const local = createKeyedQueue();
  const locks = createRedisLocks(redis, opts);
  return {
    run: (key, fn) => local.run(key, () => locks.run(key, fn)),
    acrossInstances: true,
    get size() {
      return local.size;
    },
  };
}
