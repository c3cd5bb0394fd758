// Chooses the thread store once per forum (forum.ts, the CLI): by what the database is, unless told.
import type { Database } from '../../db/connection';
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongo';
import type { ThreadStore } from './types';

export type ThreadStoreKind = ThreadStore['kind'];

export function createThreadStore(db: Database, kind: ThreadStoreKind = db.idLookupsOnly ? 'embedded' : 'mongo'): ThreadStore {
  return kind === 'embedded' ? createEmbeddedStore(db.conn) : createMongoStore(db.conn);
}

export type { ThreadStore } from './types';
