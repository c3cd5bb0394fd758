// Sessions kept in process in front of the MongoDB session store: without Redis every signed-in request would read
// its session from the database. Only for one instance per database, the setup without Redis (with REDIS_URL the
// sessions live in Redis, shared, and are read there each time): every write and every end of a session goes through
// this store, so what it keeps is what the database holds. `maxAgeMs` bounds it for anything else (a second instance
// wrongly run without Redis, an expiry sweep).
import type session from 'express-session';

export interface KeptSessionOptions {
  maxEntries: number;
  maxAgeMs: number;
  now?: () => number;
}

export const KEPT_SESSIONS: KeptSessionOptions = { maxEntries: 20_000, maxAgeMs: 10_000 };

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

/** Wraps `store`'s get, set, touch and destroy (in place, as session.ts's announcement does) to keep what they read and write. */
export function keepSessions(store: session.Store, opts: KeptSessionOptions = KEPT_SESSIONS): session.Store {
  const now = opts.now ?? Date.now;
  // The session as JSON (each get parses its own copy: express-session changes the one it is handed).
  const kept = new Map<string, { json: string; at: number; expires: number | null }>();
  // A session whose write or end is under way is read from the store until it has landed.
  const changing = new Map<string, number>();
  const keep = (sid: string, sess: session.SessionData) => {
    if (changing.has(sid)) return;
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : null;
    kept.delete(sid);
    kept.set(sid, { json: JSON.stringify(sess), at: now(), expires });
    for (const oldest of kept.keys()) {
      if (kept.size <= opts.maxEntries) break;
      kept.delete(oldest);
    }
  };
  const around = <T>(sid: string, call: (done: Callback<T>) => void, after: (err: unknown, value?: T) => void) => {
    kept.delete(sid);
    changing.set(sid, (changing.get(sid) ?? 0) + 1);
    call((err, value) => {
      const left = (changing.get(sid) ?? 1) - 1;
      if (left) changing.set(sid, left);
      else changing.delete(sid);
      after(err, value);
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
      kept.delete(sid);
      kept.set(sid, held);
      return callback(null, JSON.parse(held.json) as session.SessionData);
    }
    kept.delete(sid);
    const startedWhileChanging = changing.has(sid);
    get(sid, (err, sess) => {
      if (!err && sess && !startedWhileChanging) keep(sid, sess);
      callback(err, sess);
    });
  };
  store.set = (sid, sess, callback) =>
    around(sid, (done) => set(sid, sess, done), (err) => {
      if (!err) keep(sid, sess);
      callback?.(err);
    });
  store.destroy = (sid, callback) => around(sid, (done) => destroy(sid, done), (err) => callback?.(err));
  if (touch) {
    store.touch = (sid, sess, callback) =>
      around(sid, (done) => touch(sid, sess, done), (err) => {
        if (!err) keep(sid, sess);
        (callback as Callback | undefined)?.(err);
      });
  }
  return store;
}
