// The per-request costs bench (child process): one small Express app per variant, each answering with the same
// recorded page bytes behind one piece of the forum's middleware (as the forum had it before issue #10, or as it
// has it now), so the server's CPU per request shows what that piece costs. The pieces are the forum's own
// (server/app.ts, http/, accounts/session.ts); "before" ones are rebuilt here from the same options.
import compression from 'compression';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { destination } from 'pino';
import { pinoHttp } from 'pino-http';
import { createMemberCache } from '../../server/accounts/member-cache';
import { createPassport } from '../../server/accounts/passport';
import { registerUser } from '../../server/accounts/service';
import { createSessionStack, sessionMiddleware } from '../../server/accounts/session';
import { createApp } from '../../server/app';
import { createBus } from '../../server/bus';
import { createPageCache } from '../../server/cache';
import { createThreadRepairs } from '../../server/comments/repair';
import { createThreadStore } from '../../server/comments/store';
import { benchConfig } from '../forum-config';
import { connectDatabase } from '../../server/db/connection';
import type { ForumDeps } from '../../server/deps';
import { requestLogging } from '../../server/http/logging';
import { createLimits, helmetOptions, originCheck, securityHeaders, securityMiddleware } from '../../server/http/security';
import { createLogger } from '../../server/logger';
import { createCommentModeration } from '../../server/moderation/port';
import { createSettingsHolder } from '../../server/moderation/settings';
import { Unavailable } from '../../server/errors';
import type { Variant } from './pipeline';

interface Setup {
  mongodbUri: string;
  dbName: string;
  json: string;
  html: string;
}
type Message = { type: 'setup'; setup: Setup } | { type: 'cpu' } | { type: 'counts' } | { type: 'close' };

const send = (m: object) => process.send?.(m);
const config = benchConfig({ LOG_LEVEL: 'info', DATA_DIR: process.env.READS_DATA_DIR });
const logger = createLogger(config, destination({ dest: '/dev/null', sync: true }));
/** Round trips to the sessions collection, counted over the whole run (the parent divides by the requests it made). */
const storeCalls = { reads: 0, writes: 0 };

async function setUp(s: Setup) {
  const db = await connectDatabase(s.mongodbUri, s.dbName);
  // Composed as forum.ts composes an instance.
  const base = { config, db, logger, bus: createBus(), redis: null, threadCache: createPageCache({ budgetBytes: 0, redis: null, redisKeyPrefix: '', logger }), memberCache: createMemberCache({ redis: null, redisKeyPrefix: '', logger }) };
  const threads = createThreadStore(db);
  const passport = createPassport(base);
  const stack = createSessionStack(base, passport);
  const settings = await createSettingsHolder(base);
  const repairs = createThreadRepairs({ db, threads, logger, threadCache: base.threadCache });
  const core = { ...base, limits: createLimits(base), threads, repairs, songIds: new Map(), songOrder: null, sessions: stack.members, settings };
  const deps: ForumDeps = { ...core, moderation: createCommentModeration(core) };
  // connect-mongo reaches its collection through this promise: count what it asks the database for.
  const mongoStore = stack.store as unknown as { collectionP: Promise<Record<string, (...a: unknown[]) => unknown>> };
  mongoStore.collectionP = mongoStore.collectionP.then(
    (collection) =>
      new Proxy(collection, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (typeof value !== 'function' || typeof name !== 'string') return value;
          const kind = /^find/.test(name) ? 'reads' : /^(update|insert|replace|delete)/.test(name) ? 'writes' : null;
          return (...args: unknown[]) => {
            if (kind) storeCalls[kind]++;
            return value.apply(target, args);
          };
        },
      }),
  );
  // The session stack before #10: express-session and passport on every request, with or without a cookie.
  const sessionBefore = [sessionMiddleware(deps, stack.store), passport.initialize(), passport.session()];
  const bodies = { json: Buffer.from(s.json, 'base64'), html: Buffer.from(s.html, 'base64') };
  const page: RequestHandler = (req, res) => {
    const html = req.path.endsWith('.html');
    res.type(html ? 'html' : 'json').send(html ? bodies.html : bodies.json);
  };
  const oldLogging = (reads: 'info' | 'debug') =>
    pinoHttp({
      logger,
      customLogLevel: (req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : req.method === 'GET' ? reads : 'info',
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    });
  const isUp: RequestHandler = (_req, _res, next) => next(db.isUp() ? undefined : new Unavailable('DB_UNAVAILABLE', 'down'));

  /** An Express app as createApp makes one (settings), with `before` in front of the page. */
  const plain = (before: (app: express.Express) => RequestHandler[]) => {
    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');
    for (const mw of before(app)) app.use(mw);
    app.get(['/api/page.json', '/page.html'], page);
    return app;
  };
  const apps: Record<Variant, express.Express> = {
    express: plain(() => []),
    'logging-before': plain(() => [oldLogging('info')]),
    'logging-before-debug': plain(() => [oldLogging('debug')]),
    logging: plain((app) => [requestLogging(app, logger)]),
    'headers-before': plain(() => [helmet(helmetOptions(config))]),
    headers: plain(() => [securityHeaders(config)]),
    compression: plain(() => [compression()]),
    'session-before': plain(() => sessionBefore),
    session: plain(() => stack.handlers),
    'chain-before': plain((app) => [oldLogging('info'), helmet(helmetOptions(config)), originCheck(deps), compression(), express.json(), isUp, ...sessionBefore]),
    // The forum's own app and middleware, the page mounted where its routers go.
    // As forum.ts mounts it: the read limit first, then the routes.
    chain: createApp(deps, {
      before: securityMiddleware(deps),
      session: stack.handlers,
      routers: [
        { path: '/', handler: deps.limits.reads },
        { path: '/', handler: express.Router().get(['/api/page.json', '/page.html'], page) },
      ],
    }),
  };
  const urls: Partial<Record<Variant, string>> = {};
  for (const [name, app] of Object.entries(apps) as [Variant, express.Express][]) {
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  // A member's session, made by the forum's own stack (passport's login), for the signed-in variants.
  const login = express();
  login.use(express.json(), ...stack.handlers);
  const member = await registerUser(deps, { username: 'pipeline_member', password: 'pipeline bench password 1' });
  login.post('/login', (req, res, next) => req.login(member, (err) => (err ? next(err) : res.status(204).end())));
  const server = createServer(login);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/login`, { method: 'POST' });
  const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0];
  server.close();
  send({ type: 'ready', urls, cookie, micro: { ...microCosts(), reads: await readLimitCost(deps.limits.reads) } });
}

/**
 * Costs too small for the server runs to resolve on a busy machine, timed in process on real response objects:
 * the security headers, helmet's chain against the list worked out once (µs per response, median of 5 runs).
 */
function microCosts(): Record<string, number> {
  const timeEach = (mw: RequestHandler) => {
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) {
      const n = 20_000;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const req = new IncomingMessage(new Socket());
        mw(req as never, new ServerResponse(req) as never, () => {});
      }
      runs.push(((performance.now() - started) * 1000) / n);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  const bare = timeEach((_req, _res, next) => next());
  return {
    'headers-before': timeEach(helmet(helmetOptions(config))) - bare,
    headers: timeEach(securityHeaders(config)) - bare,
  };
}

/**
 * The read limit's cost per request a cache hit does not answer (µs, median of 5 x 20,000), beside a middleware that
 * only calls next: it is asynchronous (its store answers a promise), so each request is awaited in both.
 */
async function readLimitCost(limit: RequestHandler): Promise<number> {
  const timeEach = async (mw: RequestHandler) => {
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) {
      const n = 20_000;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const req = Object.assign(new IncomingMessage(new Socket()), { method: 'GET', ip: `198.51.100.${i % 250}`, app: { get: () => false } });
        await new Promise<void>((resolve) => mw(req as never, new ServerResponse(req) as never, () => resolve()));
      }
      runs.push(((performance.now() - started) * 1000) / n);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  return (await timeEach(limit)) - (await timeEach((_req, _res, next) => next()));
}

process.on('message', (m: Message) => {
  if (m.type === 'setup') void setUp(m.setup);
  if (m.type === 'cpu') send({ type: 'cpu', ...process.cpuUsage() });
  if (m.type === 'counts') send({ type: 'counts', ...storeCalls });
  if (m.type === 'close') process.exit(0);
});
