// The forum's thread page cache, made once per instance in forum.ts: versions (and their changelog) in Redis with
// REDIS_URL, else in process.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { versionedMemo, type MemoOptions, type VersionedMemo } from './memo';
import { createThreadCache, type ThreadCache } from './thread-cache';
import { memoryVersions, redisVersions, type ThreadChangelog, type ThreadVersions } from './versions';

export type { CachedPage, PageCacheStats, RouteHow, ThreadCache, ValueBuild } from './thread-cache';
export type { ThreadChange, ThreadChangelog } from './versions';
export { sendCached } from './send';
export { keptParts, sendAssembled, type KeptParts } from './segments';
export type { VersionedMemo } from './memo';

export interface VersionsSetup {
  redis: Redis | null;
  /** `${redisPrefix}:${dbName}`: the forum's and its database's keys. */
  redisKeyPrefix: string;
  logger: Logger;
}

export interface PageCacheSetup extends VersionsSetup {
  /** The pages' share of PAGE_CACHE_MB, in bytes; 0 turns the cache off. */
  budgetBytes: number;
  /** The thread versions to use (forum.ts shares them with the comment record cache); by default made from `redis`. */
  versions?: ThreadVersions;
  /** More counts for the cache's log line (ThreadCacheOptions.alsoLog). */
  alsoLog?: () => Record<string, unknown>;
}

/** The threads' versions and changelog: in Redis with REDIS_URL, else in process. */
export function createThreadVersions(setup: VersionsSetup): ThreadVersions & ThreadChangelog {
  return setup.redis ? redisVersions(setup.redis, setup.redisKeyPrefix, setup.logger) : memoryVersions();
}

export function createPageCache(setup: PageCacheSetup): ThreadCache {
  return createThreadCache({ versions: setup.versions ?? createThreadVersions(setup), budgetBytes: setup.budgetBytes, logger: setup.logger, alsoLog: setup.alsoLog });
}

/** Values kept per key and version (memo.ts), the versions of `kind` in Redis with REDIS_URL, else in process. */
export function createMemo<T>(setup: Omit<PageCacheSetup, 'budgetBytes'>, kind: string, opts: MemoOptions): VersionedMemo<T> {
  const versions = setup.redis ? redisVersions(setup.redis, setup.redisKeyPrefix, setup.logger, kind) : memoryVersions();
  return versionedMemo<T>(versions, opts);
}

/** How the hot path (http/hot-reads.ts) names a reader's request to the API: its raw URL. */
export const apiRoute = (url: string) => `api ${url}`;
/** How the hot path names a reader's request for a page: its Host and raw URL (the page's links name the host). */
export const pageRoute = (host: string | undefined, url: string) => `page ${host ?? ''}\n${url}`;
/** How the hot path names a member's request for a page kept as parts (web/memberReads.tsx). */
export const memberRoute = (host: string | undefined, url: string) => `member ${host ?? ''}\n${url}`;
