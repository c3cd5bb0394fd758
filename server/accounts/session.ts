// express-session + passport for HTTP and the socket.io handshake. Sessions live in MongoDB (connect-mongo on
// the forum's own connection) or in Redis when REDIS_URL is set, so every instance knows every member.
import MongoStore from 'connect-mongo';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { ForumDeps } from '../deps';
import { memberSessions, mongoSessionIndex, redisSessionIndex, type MemberSessions, type SessionIndex } from './member-sessions';
import type { ForumPassport } from './passport';
import { KEPT_SESSIONS, keepSessions } from './kept-sessions';
import { RedisSessionStore } from './redis-store';

export const SESSION_COOKIE = 'chorus.sid';
const SESSIONS_COLLECTION = 'sessions';
/** A stored session's expiry moves at most this often (seconds). */
const TOUCH_AFTER_S = 3600;
/** Idle expiry: the cookie and the stored session are renewed on every request (rolling). */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;

/** How often expired sessions are removed from a database that does not remove them itself (no TTL indexes). */
export const SESSION_SWEEP_MS = 10 * 60_000;

export interface SessionStack {
  handlers: RequestHandler[];
  /** Each member's signed-in sessions, capped at MAX_SESSIONS_PER_MEMBER. */
  members: MemberSessions;
  /** Where sessions are kept (MongoDB, or Redis with REDIS_URL). */
  store: session.Store;
  close(): Promise<void>;
}

type SessionDeps = Pick<ForumDeps, 'config' | 'db' | 'bus' | 'redis' | 'logger'>;

export const sessionCookieOptions = (deps: Pick<ForumDeps, 'config'>) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: deps.config.secureCookies,
  path: '/',
});

export function createSessionStack(deps: SessionDeps, passport: ForumPassport, sweepMs = SESSION_SWEEP_MS): SessionStack {
  const { store, index, close } = createStore(deps, sweepMs);
  announceEndedSessions(store, deps);
  return {
    handlers: [sessionMiddleware(deps, store), passport.initialize({ compat: false }), passport.session()].map(onlyWithSession),
    store,
    members: memberSessions(index, store, deps.config.maxSessionsPerMember),
    close,
  };
}

/** express-session as the forum runs it: rolling 30-day idle expiry, nothing stored before sign-in. */
export function sessionMiddleware(deps: Pick<ForumDeps, 'config'>, store: session.Store): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: deps.config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // With an https PUBLIC_URL, TLS ends at a proxy: believe its X-Forwarded-Proto for the Secure cookie.
    proxy: deps.config.secureCookies ? true : undefined,
    cookie: { ...sessionCookieOptions(deps), maxAge: SESSION_IDLE_MS },
  });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const COOKIE_MARK = `${SESSION_COOKIE}=`;

/**
 * A read without our cookie has no session to load and starts none (sessions begin at sign-in, a POST): it skips the
 * session and passport middleware, which would otherwise make and hash a new empty session for every anonymous request
 * and socket handshake (and keep it on the socket). Such a request has no req.session, req.user or passport helpers
 * (req.login...); reads use req.user only. Writes always go through: signing in needs them.
 */
export const onlyWithSession =
  (handler: RequestHandler): RequestHandler =>
  (req, res, next) =>
    READS.has(req.method) && !req.headers.cookie?.includes(COOKIE_MARK) ? next() : handler(req, res, next);

/**
 * Every logout (and every id renewed at login) destroys a stored session; the bus hears of it so that sockets
 * opened under that session stop acting for its member (realtime/ disconnects them, on every instance).
 */
function announceEndedSessions(store: session.Store, deps: Pick<ForumDeps, 'bus'>): void {
  const destroy = store.destroy.bind(store);
  store.destroy = (sid, callback) =>
    destroy(sid, (err?: unknown) => {
      if (!err) deps.bus.emit('session.ended', { sessionId: sid });
      callback?.(err);
    });
}

function createStore(deps: SessionDeps, sweepMs: number): { store: session.Store; index: SessionIndex; close(): Promise<void> } {
  if (deps.redis) {
    // Keyed by database name: instances of one forum share sessions, test forums never do.
    const prefix = `${deps.config.redisPrefix}:${deps.db.conn.name}`;
    const store = new RedisSessionStore(deps.redis, `${prefix}:sess:`);
    const index = redisSessionIndex(deps.redis, `${prefix}:member-sess:`, (id) => `${prefix}:sess:${id}`, SESSION_IDLE_MS);
    return { store, index, close: async () => {} };
  }
  const store = MongoStore.create({
    client: deps.db.conn.getClient(),
    dbName: deps.db.conn.name,
    collectionName: SESSIONS_COLLECTION,
    // MongoDB removes expired sessions itself (a TTL index). FerretDB has none, and connect-mongo's own sweep must not
    // run there: it deletes without acknowledgement (w: 0), FerretDB answers anyway, and the driver then reads that
    // stray answer as the answer to the next command on the connection (a member's lookup answered with another's
    // document). The forum sweeps with acknowledged deletes instead (sweepExpiredSessions).
    autoRemove: deps.db.ttlIndexes ? 'native' : 'disabled',
    // Rolling expiry without a database write on every request: the expiry moves at most once an hour.
    touchAfter: TOUCH_AFTER_S,
    ttl: SESSION_IDLE_MS / 1000,
  });
  const sweep = deps.db.ttlIndexes
    ? null
    : setInterval(() => sweepExpiredSessions(deps.db).catch((err) => deps.logger.warn({ err }, 'expired sessions not swept')), sweepMs);
  sweep?.unref();
  return {
    // One instance per database without Redis: it keeps the sessions it reads and writes (kept-sessions.ts).
    store: keepSessions(store, { ...KEPT_SESSIONS, touchAfterMs: TOUCH_AFTER_S * 1000 }),
    index: mongoSessionIndex(deps.db.conn, SESSIONS_COLLECTION),
    // Stop the sweep only; the client is the forum's connection, closed by its owner.
    close: async () => clearInterval(sweep ?? undefined),
  };
}

/** Removes the stored sessions past their expiry, acknowledged; answers how many went. */
async function sweepExpiredSessions(db: Pick<ForumDeps['db'], 'conn'>): Promise<number> {
  const res = await db.conn.db!.collection(SESSIONS_COLLECTION).deleteMany({ expires: { $lt: new Date() } });
  return res.deletedCount;
}
