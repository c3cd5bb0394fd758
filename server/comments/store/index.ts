// Chooses the thread store once per forum (forum.ts, the CLI): by what the database is, unless told.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../../db/connection';
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongo';
import { createKeyedQueue, type KeyedQueue } from './queue';
import type { RecordCache } from './records';
import { createRedisKeyedQueue } from './redis-queue';
import type { ThreadStore } from './types';

export type ThreadStoreKind = ThreadStore['kind'];

export const defaultStoreKind = (db: Database): ThreadStoreKind => (db.idLookupsOnly ? 'embedded' : 'mongo');

/**
 * What keeps counter moves and position claims of one document from interleaving: MongoDB's `$inc` is atomic (none);
 * on the embedded database, within this process (one instance per database), or with Redis across every instance
 * that shares it (their counters stay exact). `prefix` names this forum's and database's Redis keys.
 */
export function counterQueueFor(kind: ThreadStoreKind, redis: Redis | null, opts: { prefix: string; logger: Logger }): KeyedQueue | undefined {
  if (kind !== 'embedded') return undefined;
  return redis ? createRedisKeyedQueue(redis, opts) : createKeyedQueue();
}

/**
 * `queue` (embedded only) serialises counter moves and position claims; by default within this process. `records`
 * (embedded only) keeps positions and comment records between reads; by default nothing is kept. The mongo store
 * reads a page in one index range query, which such a cache would not make cheaper.
 */
export function createThreadStore(db: Database, kind: ThreadStoreKind = defaultStoreKind(db), queue?: KeyedQueue, records?: RecordCache): ThreadStore {
  return kind === 'embedded' ? createEmbeddedStore(db.conn, queue, records, db.idSetsFromIndex) : createMongoStore(db.conn);
}

export { createRecordCache, type RecordCache, type RecordCacheStats } from './records';
export type { ThreadStore } from './types';
