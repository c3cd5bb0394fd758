// The forum's Redis client, built to fail fast: while Redis is away (or hung) a command fails at once (or within
// COMMAND_TIMEOUT_MS) instead of waiting in an offline queue, so a request that needs Redis answers 503
// REDIS_UNAVAILABLE within a second and everything that does not (anonymous reads, live fan-out on this instance)
// keeps working. ioredis reconnects by itself, so the forum recovers when Redis returns, without a restart.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Longer than any healthy command takes, even on a loaded machine; short enough that a hung Redis costs 1 s. */
export const COMMAND_TIMEOUT_MS = 1000;

export const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: COMMAND_TIMEOUT_MS,
  // A command in flight when the connection drops fails rather than waiting for reconnections.
  maxRetriesPerRequest: 0,
  connectTimeout: 2000,
  // Keep trying for ever, at most every 2 s: the forum must come back by itself.
  retryStrategy: (times) => Math.min(times * 100, 2000),
};

/** A fail-fast client that logs when Redis goes away and comes back, once each, not at every reconnect attempt. */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, FAIL_FAST);
  let up: boolean | null = null;
  redis.on('ready', () => {
    if (up === false) logger.info('redis is back');
    up = true;
  });
  redis.on('error', (err) => {
    if (up !== false) logger.warn({ err: err.message }, 'redis is unavailable; requests that need it answer 503 until it returns');
    up = false;
  });
  redis.on('close', () => {
    if (up) logger.warn('redis connection lost; reconnecting');
    if (up) up = false;
  });
  return redis;
}

/** Resolves true once the client is ready, false if it is not within ms (the forum then starts degraded). */
export function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.on('ready', onReady);
  });
}

/** True when Redis answers a PING within timeoutMs. */
export async function redisAnswers(redis: Redis, timeoutMs = 800): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ok = await Promise.race([redis.ping().then(() => true, () => false), late]);
  clearTimeout(timer);
  return ok;
}

/** ioredis errors that mean "Redis is not reachable now", as opposed to a bad command. */
export function isRedisUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { name = '', message = '' } = err as { name?: string; message?: string };
  return (
    name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|enableOfflineQueue|Command timed out|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|LOADING /.test(message)
  );
}
