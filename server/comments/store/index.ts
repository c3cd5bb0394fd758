// Chooses the thread store once per forum (forum.ts, the CLI): by what the database is, unless told.
import type { Database } from '../../db/connection';
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongo';
import type { KeyedQueue } from './queue';
import type { ThreadStore } from './types';

export type ThreadStoreKind = ThreadStore['kind'];

export const defaultStoreKind = (db: Database): ThreadStoreKind => (db.idLookupsOnly ? 'embedded' : 'mongo');

/** `queue` (embedded only) serialises counter moves and position claims; by default within this process. */
export function createThreadStore(db: Database, kind: ThreadStoreKind = defaultStoreKind(db), queue?: KeyedQueue): ThreadStore {
  return kind === 'embedded' ? createEmbeddedStore(db.conn, queue) : createMongoStore(db.conn);
}

export type { ThreadStore } from './types';
