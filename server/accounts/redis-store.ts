// A small express-session store over ioredis (connect-redis is not a dependency): one JSON value per session,
// expiring with the cookie, so idle sessions vanish without a sweep and every instance shares them.
import session from 'express-session';
import type { Redis } from 'ioredis';

const FALLBACK_TTL_S = 30 * 24 * 3600;

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
    this.redis.set(this.key(sid), JSON.stringify(s), 'EX', this.ttl(s)).then(() => cb(), cb);
  }

  override touch(sid: string, s: session.SessionData, cb: (err?: unknown) => void = () => {}): void {
    this.redis.expire(this.key(sid), this.ttl(s)).then(() => cb(), cb);
  }

  destroy(sid: string, cb: (err?: unknown) => void = () => {}): void {
    this.redis.del(this.key(sid)).then(() => cb(), cb);
  }
}
