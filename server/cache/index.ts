// The forum's thread page cache, made once per instance in forum.ts: versions in Redis with REDIS_URL, else in
// process.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createThreadCache, type ThreadCache } from './thread-cache';
import { memoryVersions, redisVersions } from './versions';

export type { CachedPage, PageCacheStats, ThreadCache } from './thread-cache';
export { sendCached } from './send';

export interface PageCacheSetup {
  /** PAGE_CACHE_MB in bytes; 0 turns the cache off. */
  budgetBytes: number;
  redis: Redis | null;
  /** `${redisPrefix}:${dbName}`: the forum's and its database's keys. */
  redisKeyPrefix: string;
  logger: Logger;
}

export function createPageCache(setup: PageCacheSetup): ThreadCache {
  const versions = setup.redis ? redisVersions(setup.redis, setup.redisKeyPrefix, setup.logger) : memoryVersions();
  return createThreadCache({ versions, budgetBytes: setup.budgetBytes, logger: setup.logger });
}
