// The mongoose connection of one forum instance, and what /healthz and the API know of its health.
import mongoose, { type Connection } from 'mongoose';

// Operator injection, second wall (zod is the first): filters with `$` keys from user data are neutralised,
// and unknown paths in queries are dropped.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);
// Mongoose records a stack trace for every query it runs (to name the first call when one is run twice); under tsx
// each one is mapped through the source maps: a per-query cost that reads do not need.
mongoose.set('skipOriginalStackTraces', true);

export interface Database {
  readonly conn: Connection;
  /**
   * True on FerretDB (the embedded database), which answers lookups by `_id` from an index and, in Chorus's build of its
   * SQLite backend (db/ferretdb/sqlite-pushdown), equality and `$in` on a field that leads an index; ranges, sorts and
   * every other filter scan the collection. Found at connect; forum.ts chooses the thread store by it, once.
   */
  readonly idLookupsOnly: boolean;
  /** MongoDB removes expired documents itself (TTL indexes); FerretDB has none: what expires is swept by the forum. */
  readonly ttlIndexes: boolean;
  /**
   * True when a `_id` `$in` is served from the index: on MongoDB, and on the embedded database as Chorus builds it
   * (SQLite backend, db/ferretdb/sqlite-pushdown); a FerretDB otherwise (its PostgreSQL backend, an upstream build)
   * reads the whole collection for it. Asked of the server's query plan on first use, once its collections exist.
   */
  idSetsFromIndex(): Promise<boolean>;
  /**
   * False once the driver lost its connection or a ping went unanswered. While false, each call (at most one a
   * second) pings again in the background, so a slow ping or a short outage does not keep the API closed.
   */
  isUp(): boolean;
  /** Pings the server, answering false within timeoutMs when it does not answer. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectDatabase(uri: string, dbName?: string): Promise<Database> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    // Fail fast instead of queueing when the database is away: the API answers 503 DB_UNAVAILABLE.
    bufferCommands: false,
    serverSelectionTimeoutMS: 2000,
    heartbeatFrequencyMS: 1000,
    connectTimeoutMS: 2000,
    autoIndex: true,
  });
  await conn.asPromise();
  const info = await conn.db!.admin().command({ buildInfo: 1 });
  let up = true;
  conn.on('disconnected', () => (up = false));
  conn.on('connected', () => (up = true));
  conn.on('reconnected', () => (up = true));

  const ping = async (timeoutMs = 800): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const attempt = conn
      .db!.admin()
      .ping({ maxTimeMS: timeoutMs })
      .then(() => true)
      .catch(() => false);
    const ok = await Promise.race([attempt, timeout]);
    clearTimeout(timer);
    up = ok;
    return ok;
  };

  let lastRecheck = 0;
  const isUp = () => {
    if (!up && Date.now() - lastRecheck >= 1000) {
      lastRecheck = Date.now();
      void ping();
    }
    return up;
  };

  const ferret = 'ferretdbVersion' in info;
  let idSets: Promise<boolean> | null = null;
  const idSetsFromIndex = () => {
    if (!ferret) return Promise.resolve(true);
    idSets ??= planSearchesIdSet(conn).then((found) => {
      // No collection to ask about yet: ask again next time.
      if (found === null) idSets = null;
      return found ?? false;
    });
    return idSets;
  };

  return {
    conn,
    idLookupsOnly: ferret,
    ttlIndexes: !ferret,
    idSetsFromIndex,
    isUp,
    ping,
    close: () => conn.close(true),
  };
}

/** Whether FerretDB's plan for a `_id` `$in` searches an index (null: no collection to ask about yet, or no answer). */
async function planSearchesIdSet(conn: Connection): Promise<boolean | null> {
  try {
    const [first] = await conn.db!.listCollections({}, { nameOnly: true }).toArray();
    if (!first) return null;
    const res = await conn.db!.command({ explain: { find: first.name, filter: { _id: { $in: ['a', 'b'] } } }, verbosity: 'queryPlanner' });
    const plan = (res.queryPlanner as { Plan?: unknown } | undefined)?.Plan;
    return Array.isArray(plan) && plan.some((line) => /\bSEARCH\b.*\bUSING\b.*\bINDEX\b/.test(String(line)));
  } catch {
    return null;
  }
}

/** Driver errors that mean "the database is not reachable", as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { name = '', message = '', code = '', stack = '' } = err as { name?: string; message?: string; code?: unknown; stack?: string };
  return (
    /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|TopologyClosed|PoolCleared)Error$/.test(name) ||
    /buffering timed out|Client must be connected|connection .* closed|ECONNREFUSED/i.test(message) ||
    // The driver lets a plain socket error through when the database dies under a command being written
    // ("This socket has been ended by the other party", EPIPE): found by the chaos run killing the database.
    (/^(EPIPE|ECONNRESET)$/.test(String(code)) && /[/\\]node_modules[/\\]mongodb[/\\]/.test(stack))
  );
}

/** The driver's answer to an insert that broke a unique index. */
export const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;
