// A small express-session store over ioredis (connect-redis is not a dependency): one JSON value per session,
// expiring with the cookie, so idle sessions vanish without a sweep and every instance shares them.
import session from 'express-session';
import type { Redis } from 'ioredis';

const FALLBACK_TTL_S = 30 * 24 * 3600;
/**
 * Rolling sessions touch the store on every response: the stored expiry moves at most this often, as connect-mongo's
 * touchAfter does, so a signed-in read costs the one session read and no write.
 */
export const TOUCH_AFTER_MS = 3600_000;

/** A stored session knows when it was last written (ms), so a touch can tell whether it is due. */
type Stored = session.SessionData & { lastModified?: number };

export class RedisSessionStore extends session.Store {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  private key = (sid: string) => this.prefix + sid;

  private ttl(s: session.SessionData): number {
    const expires = s.cookie?.expires ? new Date(s.cookie.expires).getTime() : NaN;
    return Number.isFinite(expires) ? Math.max(1, Math.ceil((expires - Date.now()) / 1000)) : FALLBACK_TTL_S;
  }

  get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    this.redis.get(this.key(sid)).then(
      (raw) => cb(null, raw ? (JSON.parse(raw) as session.SessionData) : null),
      (err) => cb(err),
    );
  }

  set(sid: string, s: session.SessionData, cb: (err?: unknown) => void = () => {}): void {
    this.redis.set(this.key(sid), this.serialise(s), 'EX', this.ttl(s)).then(() => cb(), cb);
  }

  override touch(sid: string, s: session.SessionData, cb: (err?: unknown) => void = () => {}): void {
    const last = (s as Stored).lastModified;
    if (typeof last === 'number' && Date.now() - last < TOUCH_AFTER_MS) return cb();
    // Rewritten with the new expiry and time, only if it still exists: a touch never brings back an ended session.
    this.redis.set(this.key(sid), this.serialise(s), 'EX', this.ttl(s), 'XX').then(() => cb(), cb);
  }

  private serialise = (s: session.SessionData) => JSON.stringify({ ...s, lastModified: Date.now() } satisfies Stored);

  destroy(sid: string, cb: (err?: unknown) => void = () => {}): void {
    this.redis.del(this.key(sid)).then(() => cb(), cb);
  }
}
