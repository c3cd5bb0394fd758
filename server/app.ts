// createApp(deps): the Express app of one forum instance, without listening (tests build it too).
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { Unavailable } from './errors';
import { apiNotFound, errorMiddleware } from './http/errors';
import { requestLogging } from './http/logging';
import type { ForumDeps } from './deps';
import { redisAnswers } from './redis';

export interface AppParts {
  /** express-session + passport, shared with socket.io's handshake. */
  session: RequestHandler[];
  /** Mounted in order after the session: security, API routers, pages. */
  routers: { path: string; handler: RequestHandler | RequestHandler[] }[];
  /** Mounted before everything (static files, security headers). */
  before?: RequestHandler[];
  /** Error handlers tried before the JSON one (pages' own error pages for errors raised outside their routers). */
  errors?: ErrorRequestHandler[];
}

export function createApp(deps: ForumDeps, parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy ? trustProxyValue(deps.config.trustProxy) : false);
  app.set('query parser', 'simple');

  app.use(requestLogging(app, deps.logger, (req) => req.url === '/healthz'));

  // Redis is reported only where REDIS_URL is set; without it there is no `redis` field.
  app.get('/healthz', async (_req, res) => {
    const [db, redis] = await Promise.all([deps.db.ping(800), deps.redis ? redisAnswers(deps.redis, 800) : null]);
    const ok = db && redis !== false;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', db: db ? 'up' : 'down', ...(redis === null ? {} : { redis: redis ? 'up' : 'down' }) });
  });

  for (const mw of parts.before ?? []) app.use(mw);

  app.use('/api', express.json({ limit: '64kb', strict: true }));
  // While the driver knows the database is away, API calls answer at once instead of waiting on a timeout.
  app.use('/api', (_req, _res, next) => {
    next(deps.db.isUp() ? undefined : new Unavailable('DB_UNAVAILABLE', 'The database is unavailable; try again shortly.'));
  });
  if (parts.session.length) app.use(parts.session);
  for (const r of parts.routers) app.use(r.path, r.handler);

  app.use('/api', apiNotFound);
  for (const handler of parts.errors ?? []) app.use(handler);
  app.use(errorMiddleware);
  return app;
}

export function trustProxyValue(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return /^\d+$/.test(v) ? Number(v) : v;
}
