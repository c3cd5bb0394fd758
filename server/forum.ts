// Composes one forum instance: database, bus, sessions, app, http server, socket.io. main.ts and tests use it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { createBus } from './bus';
import { createPageCache, createThreadVersions } from './cache';
import { closeMemberCache, createMemberCache } from './accounts/member-cache';
import type { Config } from './config';
import { connectDatabase } from './db/connection';
import type { ForumDeps } from './deps';
import { createPassport } from './accounts/passport';
import { holdExistingMemberNames } from './accounts/names';
import { accountRoutes } from './accounts/routes';
import { createSessionStack, SESSION_COOKIE } from './accounts/session';
import { commentSocketHandlers } from './comments/live';
import { commentRoutes } from './comments/routes';
import { createThreadRepairs, RECENT_MS } from './comments/repair';
import { counterQueueFor, createRecordCache, createThreadStore, defaultStoreKind, type ThreadStoreKind } from './comments/store';
import { answerClientErrors } from './http/client-errors';
import { hotReads } from './http/hot-reads';
import { createLimits, securityHeaderList, securityMiddleware } from './http/security';
import { listenForNotifications } from './notifications/listen';
import { notificationRoutes } from './notifications/routes';
import { peopleRoutes } from './people/routes';
import { moderationSocketHandlers } from './moderation/live';
import { createCommentModeration } from './moderation/port';
import { moderationRoutes } from './moderation/routes';
import { createSettingsHolder } from './moderation/settings';
import { recountVisibleOnce } from './moderation/upkeep';
import { prepareCollections } from './models';
import { createIo, type Realtime } from './realtime/io';
import { songRoutes } from './songs/routes';
import { refreshSearchKeys } from './songs/search-keys';
import { createSongActivityOrder, songsChangedMark } from './songs/activity-order';
import { readSongActivity } from './songs/service';
import { createAssetStore } from './web/assets';
import { pageRoutes, pageUnavailable } from './web/routes';
import { hotPages, readerPageGuard } from './web/songPages';
import { memberReads } from './web/memberReads';
import { createRedis, whenReady } from './redis';

const REDIS_START_WAIT_MS = 5000;
/** How soon other instances' posts, and imports, show in this instance's song list (its own show at once). */
const SONG_ORDER_TTL_MS = 10_000;

export interface Forum {
  deps: ForumDeps;
  server: Server;
  url: string;
  /** The socket.io server (tests look at connected sockets through it). */
  io: Realtime['io'];
  close(): Promise<void>;
}

export interface ForumOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** The database URI (embedded or MONGODB_URI). */
  mongodbUri: string;
  /** Database name; tests use a fresh one per file. */
  dbName?: string;
  /** The thread store; by default the one made for the database found (tests and benchmarks run both). */
  threadStore?: ThreadStoreKind;
  /** How often expired sessions are swept on a database without TTL indexes (SESSION_SWEEP_MS; tests shorten it). */
  sessionSweepMs?: number;
}

export async function startForum(opts: ForumOptions): Promise<Forum> {
  const { config, logger } = opts;
  const db = await connectDatabase(opts.mongodbUri, opts.dbName);
  await prepareCollections(db.conn);
  await refreshSearchKeys(db.conn);
  await holdExistingMemberNames(db.conn);
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  // Fail-fast clients refuse commands until connected: wait for it, but start degraded rather than not at all.
  if (redis && !(await whenReady(redis, REDIS_START_WAIT_MS))) logger.warn('redis is not reachable at start-up; starting without it until it is');
  // Everything one instance keeps (stores, caches, limiters) is made here and passed in.
  // PAGE_CACHE_MB: three quarters for pages, a quarter for the comment records (embedded store) they are rebuilt from;
  // both follow the threads' versions and changelog, and both are off at 0.
  const cacheSetup = { redis, redisKeyPrefix: `${config.redisPrefix}:${db.conn.name}`, logger };
  const versions = createThreadVersions(cacheSetup);
  const recordBytes = Math.floor(config.pageCacheBytes / 4);
  const records = recordBytes > 0 ? createRecordCache({ changelog: versions, budgetBytes: recordBytes }) : undefined;
  const threadCache = createPageCache({ ...cacheSetup, versions, budgetBytes: config.pageCacheBytes - recordBytes, alsoLog: records && (() => ({ records: records.stats() })) });
  const memberCache = createMemberCache(cacheSetup);
  const base = { config, db, logger, bus: createBus(), redis, threadCache, memberCache };
  // Counters on the embedded database move read-modify-write: one instance serialises them in process; instances
  // sharing a Redis take a per-document lock there (so counts stay exact across them); MongoDB's $inc needs neither.
  const storeKind = opts.threadStore ?? defaultStoreKind(db);
  const threads = createThreadStore(db, storeKind, counterQueueFor(storeKind, redis, { prefix: `${config.redisPrefix}:${db.conn.name}`, logger }), records);
  const repairs = createThreadRepairs({ db, threads, logger, threadCache });
  // The session stack comes first: every sign-in goes through its record of each member's sessions.
  const passport = createPassport(base);
  const session = createSessionStack(base, passport, opts.sessionSweepMs);
  const settings = await createSettingsHolder(base);
  // The song list's order: the embedded database would read and sort every song for each list (the home page).
  const songOrder = db.idLookupsOnly ? createSongActivityOrder(readSongActivity(base), { ttlMs: SONG_ORDER_TTL_MS, mark: () => songsChangedMark(db.conn) }) : null;
  if (songOrder) base.bus.on('comment.created', ({ comment }) => songOrder.touch({ id: comment.songId, at: Date.parse(comment.createdAt) }));
  const core = { ...base, limits: createLimits(base), threads, repairs, songIds: new Map(), songOrder, sessions: session.members, settings };
  // Moderation plugs into the comment services here, so comments/ never imports moderation/.
  const deps: ForumDeps = { ...core, moderation: createCommentModeration(core) };
  await recountVisibleOnce(deps);
  // A forum killed mid-write could not mark what it left: the threads active just before it started are recounted.
  void repairs.recountRecent(new Date(Date.now() - RECENT_MS)).catch((err) => logger.warn({ err }, 'start-up recount failed'));
  const assets = createAssetStore(logger);
  const app = createApp(deps, {
    before: [...securityMiddleware(deps), assets.handler],
    session: session.handlers,
    routers: [
      { path: '/', handler: deps.limits.reads },
      { path: '/api/auth', handler: accountRoutes(deps, passport) },
      { path: '/api', handler: songRoutes(deps) },
      { path: '/api', handler: commentRoutes(deps) },
      { path: '/api', handler: peopleRoutes(deps) },
      { path: '/api', handler: notificationRoutes(deps) },
      { path: '/api', handler: moderationRoutes(deps) },
      { path: '/', handler: pageRoutes(deps, assets) },
    ],
    errors: [pageUnavailable(assets)],
  });

  // Readers' cache hits are answered before the app (http/hot-reads.ts); everything else goes through it.
  const hot = hotReads(
    {
      config,
      threadCache,
      headers: securityHeaderList(config),
      sessionCookieMark: `${SESSION_COOKIE}=`,
      pageGuard: () => readerPageGuard(deps, assets),
      pages: hotPages(config),
      members: memberReads({ deps, store: session.store, cookieName: SESSION_COOKIE, pageGuard: () => readerPageGuard(deps, assets), trustProxy: config.secureCookies }),
    },
    app,
  );
  const server = createServer(hot);
  answerClientErrors(server);
  // Keep-alive sockets must not hold shutdown open.
  server.keepAliveTimeout = 5000;
  const notifications = listenForNotifications(deps);
  const io = await createIo(deps, server, session.handlers, [commentSocketHandlers(deps), moderationSocketHandlers(deps)]);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (!config.publicUrl) {
    logger.warn(
      { answersFor: ['localhost', '127.0.0.1', '[::1]', config.host].map((h) => `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`) },
      'PUBLIC_URL is unset: the forum answers only for its loopback names and HOST on its port (other Host names get 421); set PUBLIC_URL to the address browsers use',
    );
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, let in-flight requests finish, drop idle keep-alives, then sockets, stores, database.
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response ends: close each as soon as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await io.close();
      await Promise.race([httpClosed, new Promise((r) => setTimeout(r, 8000).unref())]);
      clearInterval(sweep);
      server.closeAllConnections();
      await notifications.close();
      await session.close();
      deps.limits.close();
      repairs.close();
      settings.close();
      threadCache.close();
      closeMemberCache(memberCache);
      if (redis) await redis.quit().catch(() => redis.disconnect());
      await db.close();
    })());

  return { deps, server, url, io: io.io, close };
}
