// Sessions kept in process in front of the MongoDB session store: without Redis every signed-in request would read
// its session from the database. Only for one instance per database, the setup without Redis (with REDIS_URL the
// sessions live in Redis, shared, and are read there each time): every write and every end of a session goes through
// this store, so what it keeps is what the database holds. `maxAgeMs` bounds it for anything else (a second instance
// wrongly run without Redis, an expiry sweep).
import type session from 'express-session';
import { byteLru } from '../cache/lru';

export interface KeptSessionOptions {
  maxEntries: number;
  maxAgeMs: number;
  /** The store's touchAfter (connect-mongo): a touch writes only when the session was last written this long ago. */
  touchAfterMs: number;
  now?: () => number;
}

export const KEPT_SESSIONS: Omit<KeptSessionOptions, 'touchAfterMs'> = { maxEntries: 20_000, maxAgeMs: 10_000 };

type Callback<T = unknown> = (err?: unknown, value?: T) => void;
/** connect-mongo hands a session its stored lastModified (a Date) and decides from it whether a touch writes. */
type StoredSession = session.SessionData & { lastModified?: Date | string };

/**
 * Wraps `store`'s get, set, touch and destroy (in place, as session.ts's announcement does) to keep what get reads. A
 * set or destroy drops what was kept (the next get reads the stored session); so does a touch that wrote.
 */
export function keepSessions(store: session.Store, opts: KeptSessionOptions): session.Store {
  const now = opts.now ?? Date.now;
  // The session as JSON (each get parses its own copy: express-session changes the one it is handed), its stored
  // lastModified apart (a Date again in each copy).
  // Least recently used first out, counted by entries (each weighs 1).
  const kept = byteLru<{ json: string; lastModified: number | null; at: number; expires: number | null; bytes: 1 }>(opts.maxEntries);
  // Sessions whose write or end is under way: a get that began meanwhile keeps nothing.
  const changing = new Map<string, number>();
  const keep = (sid: string, sess: StoredSession) => {
    const { lastModified, ...rest } = sess;
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : null;
    kept.set(sid, { json: JSON.stringify(rest), lastModified: lastModified ? new Date(lastModified).getTime() : null, at: now(), expires, bytes: 1 });
  };
  const changed = (sid: string, call: (done: Callback) => void, callback?: Callback) => {
    kept.delete(sid);
    changing.set(sid, (changing.get(sid) ?? 0) + 1);
    call((err) => {
      const left = (changing.get(sid) ?? 1) - 1;
      if (left) changing.set(sid, left);
      else changing.delete(sid);
      kept.delete(sid);
      callback?.(err);
    });
  };

  const get = store.get.bind(store);
  const set = store.set.bind(store);
  const destroy = store.destroy.bind(store);
  const touch = store.touch?.bind(store);

  store.get = (sid, callback) => {
    const held = kept.get(sid);
    const t = now();
    if (held && t - held.at < opts.maxAgeMs && (held.expires === null || held.expires > t)) {
      const copy = JSON.parse(held.json) as StoredSession;
      if (held.lastModified !== null) copy.lastModified = new Date(held.lastModified);
      return callback(null, copy);
    }
    kept.delete(sid);
    const startedWhileChanging = changing.has(sid);
    get(sid, (err, sess) => {
      if (!err && sess && !startedWhileChanging && !changing.has(sid)) keep(sid, sess);
      callback(err, sess);
    });
  };
  store.set = (sid, sess, callback) => changed(sid, (done) => set(sid, sess, done), callback);
  store.destroy = (sid, callback) => changed(sid, (done) => destroy(sid, done), callback);
  if (touch) {
    store.touch = (sid, sess, callback) => {
      const last = (sess as StoredSession).lastModified;
      const writes = !last || now() - new Date(last).getTime() >= opts.touchAfterMs;
      if (!writes) return touch(sid, sess, callback);
      changed(sid, (done) => touch(sid, sess, done), callback as Callback);
    };
  }
  return store;
}
