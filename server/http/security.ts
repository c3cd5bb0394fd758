// Cross-cutting guards: security headers (helmet's, with a strict CSP, worked out once), compression, the origin check
// on every state-changing request, and the rate limits (in Redis when REDIS_URL is set, so all instances share them).
import compression from 'compression';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options, type Store } from 'express-rate-limit';
import helmet, { type HelmetOptions } from 'helmet';
import { RedisStore } from 'rate-limit-redis';
import { OPEN_FACTS_WIDE } from '../../shared/inline-scripts';
import type { Config } from '../config';
import type { ForumDeps, ForumLimits } from '../deps';
import { RateLimited } from '../errors';
import { HttpError } from './errors';
import { hostCheck } from './host';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * True when a request's Origin header names another site than the forum's: PUBLIC_URL when set, else the
 * origin of the request's own Host. A missing Origin (a script, an old browser) is not foreign: the session judges.
 * The literal "null" (sandboxed frames, some redirects) is foreign.
 */
export function isForeignOrigin(origin: string | undefined, config: Pick<Config, 'publicUrl'>, host: string | undefined): boolean {
  if (origin === undefined || origin === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return true;
  }
  if (config.publicUrl) return parsed.origin !== config.publicUrl;
  return !host || parsed.host !== host.toLowerCase() || !/^https?:$/.test(parsed.protocol);
}

export const csrfError = () => new HttpError(403, 'CSRF', 'Cross-site requests may not change anything here.');

/** 403 CSRF for a write whose Origin names another site; runs before any route, so even unknown paths are refused. */
export function originCheck(deps: Pick<ForumDeps, 'config'>): RequestHandler {
  return (req, _res, next) => {
    if (!UNSAFE_METHODS.has(req.method)) return next();
    next(isForeignOrigin(req.get('origin'), deps.config, req.get('host')) ? csrfError() : undefined);
  };
}

/** A CSP source that allows one inline script: the hash of its exact text. */
const scriptHash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * helmet's options for the forum: a strict CSP (no inline script but the one line that unfolds the song's facts on
 * a wide screen, allowed by its hash; JSON data travels in script[type=application/json]).
 */
export function helmetOptions(config: Pick<Config, 'secureCookies'>): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", scriptHash(OPEN_FACTS_WIDE)],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // With helmet's "no-referrer", browsers send `Origin: null` on form posts, which the origin check must refuse;
    // "same-origin" lets our own forms name their origin and still tells other sites nothing.
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only where the forum is served over https; on http it would only confuse a local setup.
    strictTransportSecurity: config.secureCookies ? { maxAge: 180 * 24 * 3600 } : false,
  };
}

/**
 * The headers helmet sets, worked out once: with these options none depends on the request (no nonces), so running
 * helmet's dozen middlewares on every request would compute the same strings each time. Captured from helmet itself,
 * so they stay exactly helmet's.
 */
export function securityHeaderList(config: Pick<Config, 'secureCookies'>): readonly [string, string][] {
  const headers: [string, string][] = [];
  let passed = false;
  const recorder = {
    setHeader: (name: string, value: string) => void headers.push([name, String(value)]),
    // X-Powered-By: Express never sets it here (app.ts disables it).
    removeHeader: () => {},
  };
  helmet(helmetOptions(config))({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    passed = true;
  });
  if (!passed) throw new Error('helmet did not finish synchronously: its headers cannot be worked out once');
  return headers;
}

export function securityHeaders(config: Pick<Config, 'secureCookies'>): RequestHandler {
  const headers = securityHeaderList(config);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

export function securityMiddleware(deps: ForumDeps): RequestHandler[] {
  return [hostCheck(deps.config), securityHeaders(deps.config), originCheck(deps), compression()];
}

// Login. A NAT or a campus puts many people behind one address, so no address is ever locked out; instead:
// - per (username, address), failures: stops one machine guessing one password; trips after 10 failures;
// - per (username, address), every attempt: a generous cap on successes too, so a script cannot mint sessions;
// - per username (any address), failures: looser, so an attacker on one address cannot lock the owner out from
//   elsewhere, while a spread-out attack on one account is still bounded;
// - per address (any username), failures: past the first 30, every attempt from that address waits a growing
//   delay (capped) before it is judged. Spraying many accounts from one address slows to a crawl, while a person
//   behind the same address whose password is right still gets in, a little later.
const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_LIMITS = {
  perUserAddress: 10,
  perUserAddressAttempts: 30,
  perUser: 100,
  /** Failures from one address before its attempts are slowed. */
  addressFreeFailures: 30,
  /** Each failure beyond the free ones adds this much to the wait, up to addressMaxDelayMs. */
  addressDelayStepMs: 1000,
  addressMaxDelayMs: 10_000,
} as const;

/** How long a login from an address with this many recent failures waits before it is judged. */
export function loginDelayMs(addressFailures: number): number {
  const over = addressFailures - LOGIN_LIMITS.addressFreeFailures + 1;
  return over <= 0 ? 0 : Math.min(LOGIN_LIMITS.addressMaxDelayMs, over * LOGIN_LIMITS.addressDelayStepMs);
}
const REGISTER_WINDOW_MS = 60 * 60_000;
const POSTING_WINDOW_MS = 60_000;

type LimitDeps = Pick<ForumDeps, 'config' | 'db' | 'redis' | 'logger'>;
/** Makes the store of one named limit; memory stores are remembered so closing the limits stops their timers. */
type StoreMaker = (name: string) => Store;

function storeMaker(deps: LimitDeps, memoryStores: MemoryStore[]): StoreMaker {
  return (name) => {
    if (!deps.redis) {
      const store = new MemoryStore();
      memoryStores.push(store);
      return store;
    }
    return redisStore(deps, deps.redis, name);
  };
}

function redisStore(deps: LimitDeps, redis: NonNullable<LimitDeps['redis']>, name: string): Store {
  return new RecoveringRedisStore({
    // Per database: instances of one forum share budgets, test forums never do.
    prefix: `${deps.config.redisPrefix}:${deps.db.conn.name}:rl:${name}:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<never>,
  });
}

/**
 * rate-limit-redis loads its Lua script once, at init, and keeps the promise: a load that failed while Redis was away
 * would fail every later call. This one loads it again at the next use after any failure, so limits recover with Redis.
 */
class RecoveringRedisStore extends RedisStore {
  private loaded = false;

  override async init(options: Options): Promise<void> {
    await super.init(options).then(
      () => (this.loaded = true),
      () => {},
    );
  }

  override async increment(key: string) {
    try {
      if (!this.loaded) {
        this.incrementScriptSha = this.loadIncrementScript();
        await this.incrementScriptSha;
        this.loaded = true;
      }
      return await super.increment(key);
    } catch (err) {
      this.loaded = false;
      throw err;
    }
  }
}

const retryAfterSeconds = (resetTime: Date | undefined, windowMs: number) =>
  String(Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000)));

/** A wait in the words a person reads: seconds under a minute and a half, then minutes, then hours. */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

export const rateLimited = (retryAfter: string, what = 'Too many attempts') => new RateLimited(`${what}; try again in ${waitInWords(Number(retryAfter))}.`, Number(retryAfter));

const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
const usernameOf = (req: Request) => {
  const u = (req.body as { username?: unknown } | undefined)?.username;
  return typeof u === 'string' ? u.trim().toLowerCase().slice(0, 100) : '';
};

function limiter(makeStore: StoreMaker, name: string, opts: Partial<Options> & { windowMs: number; limit: number }, what?: string): RequestHandler {
  return rateLimit({
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: makeStore(name),
    handler: (req, _res, next, options) => next(rateLimited(retryAfterSeconds((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, options.windowMs), what)),
    ...opts,
  });
}

function chain(handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    const run = (i: number): void => {
      if (i === handlers.length) return next();
      handlers[i](req, res, (err?: unknown) => (err ? next(err) : run(i + 1)));
    };
    run(0);
  };
}

export function createLimits(deps: LimitDeps): ForumLimits {
  const memoryStores: MemoryStore[] = [];
  const makeStore = storeMaker(deps, memoryStores);
  // The login route answers 401 for a wrong password: only those count against the failure budgets.
  const failures = {
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: { statusCode: number }) => res.statusCode !== 401,
    windowMs: LOGIN_WINDOW_MS,
  };
  const userAddress = (req: Request) => `${usernameOf(req)}|${addressOf(req)}`;
  const login = chain([
    limiter(makeStore, 'login-user-addr-all', { windowMs: LOGIN_WINDOW_MS, limit: LOGIN_LIMITS.perUserAddressAttempts, keyGenerator: userAddress }),
    limiter(makeStore, 'login-user-addr', { ...failures, limit: LOGIN_LIMITS.perUserAddress, keyGenerator: userAddress }),
    limiter(makeStore, 'login-user', { ...failures, limit: LOGIN_LIMITS.perUser, keyGenerator: usernameOf }),
    addressSlowDown(makeStore),
  ]);
  // Accounts made per address: a refused attempt (a taken name, a weak password) makes none, so it does not count.
  const register = limiter(makeStore, 'register', {
    windowMs: REGISTER_WINDOW_MS,
    limit: deps.config.registerLimitPerHour,
    keyGenerator: addressOf,
    skipFailedRequests: true,
  });
  // What a reader's request can make the database do: a page the cache does not hold (another cursor, sort or song)
  // is read anew. Hits never reach the app, so this counts misses and members' requests: far more than a person
  // reading makes, few enough that one client cannot keep the database busy. Writes have budgets of their own.
  const reads = limiter(
    makeStore,
    'reads',
    {
      windowMs: 60_000,
      limit: deps.config.readLimitPerMinute,
      keyGenerator: (req) => (req.user ? `member:${(req.user as { id: string }).id}` : `addr:${addressOf(req)}`),
      skip: (req) => req.method !== 'GET' && req.method !== 'HEAD',
      // Redis away: anonymous reading goes on (README), unlimited until it is back. The Redis client says once that it
      // went; the limiter would say so again on every read.
      passOnStoreError: true,
      logger: {
        error: (err: unknown, message?: string) => (String(message).includes('error from store') ? deps.logger.debug({ err }, 'read limit not counted') : deps.logger.error({ err }, message ?? 'read limit')),
        warn: (warning: unknown) => deps.logger.warn({ warning }, 'read limit'),
      },
    },
    'Too many requests',
  );
  return {
    login,
    register,
    reads,
    ...postingBudget(deps, makeStore),
    ...actBudgets(makeStore),
    close: () => memoryStores.forEach((store) => store.shutdown()),
  };
}

/**
 * Holds each login from an address with many recent failures for loginDelayMs before it is judged. An attempt
 * counts as a failure from the start and is taken back once it proves not to be one (not a 401), so attempts
 * sent all at once see each other and wait longer too.
 */
function addressSlowDown(makeStore: StoreMaker): RequestHandler {
  const store = makeStore('login-addr');
  void store.init?.({ windowMs: LOGIN_WINDOW_MS } as Options);
  return (req, res, next) => {
    const key = addressOf(req);
    Promise.resolve(store.increment(key)).then(({ totalHits }) => {
      res.once('finish', () => {
        if (res.statusCode !== 401) store.decrement(key)?.catch(() => {});
      });
      const wait = loginDelayMs(totalHits - 1);
      if (wait === 0) return next();
      setTimeout(next, wait);
    }, next);
  };
}

/** A budget of `limit` acts per `windowMs` and key, taken by the service (HTTP, sockets and page forms alike). */
function budget(makeStore: StoreMaker, name: string, limit: number, windowMs: number, tooFast: string) {
  const store = makeStore(name);
  void store.init?.({ windowMs } as Options);
  return {
    store,
    async take(key: string): Promise<void> {
      const { totalHits, resetTime } = await store.increment(key);
      if (totalHits > limit) throw rateLimited(retryAfterSeconds(resetTime, windowMs), tooFast);
    },
  };
}

/** Per member: far more than a person does, few enough that nobody can keep a thread or the server busy with them. */
export const ACT_LIMITS = {
  vote: { limit: 120, windowMs: 60_000, tooFast: 'You are voting too fast' },
  password: { limit: 5, windowMs: 15 * 60_000, tooFast: 'Too many password changes' },
  rename: { limit: 10, windowMs: 60 * 60_000, tooFast: 'Too many name changes' },
} as const;

function actBudgets(makeStore: StoreMaker): Pick<ForumLimits, 'act'> {
  const budgets = Object.fromEntries(
    Object.entries(ACT_LIMITS).map(([kind, { limit, windowMs, tooFast }]) => [kind, budget(makeStore, `act-${kind}`, limit, windowMs, tooFast)]),
  ) as Record<keyof typeof ACT_LIMITS, ReturnType<typeof budget>>;
  return { act: (kind, userId) => budgets[kind].take(userId) };
}

/** One posting budget per poster (`user:ID` or `ip:ADDR`), shared by HTTP and sockets: N posts a minute, all at once if need be. */
function postingBudget(deps: LimitDeps, makeStore: StoreMaker): Pick<ForumLimits, 'posting' | 'postingBack'> {
  const { store, take } = budget(makeStore, 'posting', deps.config.postingLimitPerMinute, POSTING_WINDOW_MS, 'You are posting too fast');
  return {
    posting: take,
    // A repeat is answered with its comment and weighs nothing; giving back is best effort (the window ends anyway).
    async postingBack(key) {
      try {
        await store.decrement(key);
      } catch {
        // The store is away: the post stays counted until the window ends.
      }
    },
  };
}
