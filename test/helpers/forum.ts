// Test forums: the real app on port 0, on a fresh database of the run's database server (started on first use).
import { Redis, type RedisOptions } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import { loadConfig } from '../../server/config';
import type { ThreadStoreKind } from '../../server/comments/store';
import { startForum, type Forum } from '../../server/forum';
import { testDatabaseUri } from './database';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestForum extends Forum {
  /** A supertest agent that keeps cookies, like one browser. */
  agent(): ReturnType<typeof request.agent>;
  /** A socket.io client; pass a cookie to be that member. */
  socket(opts?: { cookie?: string; origin?: string; autoConnect?: boolean }): TestSocket;
  dbName: string;
}

export function freshDbName(label = 'chorus'): string {
  return `t_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

/** Starts a forum; env overrides take the same names as the real environment (GUEST_POSTING, REDIS_URL...). */
export async function startTestForum(env: Record<string, string> = {}, opts: { dbName?: string; mongodbUri?: string; threadStore?: ThreadStoreKind; logger?: Logger; sessionSweepMs?: number } = {}): Promise<TestForum> {
  const mongodbUri = opts.mongodbUri ?? (await testDatabaseUri());
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'chorus-test-data-')),
    SESSION_SECRET: 'test-secret-test-secret-test-secret',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DEMO_CONTENT: 'false',
    // Test files sign many members up from 127.0.0.1; the registration limit's own test sets it low.
    REGISTER_LIMIT_PER_HOUR: '10000',
    // And read a lot from it: the read limit's own test sets it low.
    READ_LIMIT_PER_MINUTE: '1000000',
    ...env,
  });
  const dbName = opts.dbName ?? freshDbName();
  const forum = await startForum({ config, logger: opts.logger ?? pino({ level: config.logLevel }), mongodbUri, dbName, threadStore: opts.threadStore, sessionSweepMs: opts.sessionSweepMs });
  const sockets: TestSocket[] = [];
  return {
    ...forum,
    dbName,
    agent: () => request.agent(forum.url),
    socket: ({ cookie, origin, autoConnect = true } = {}) => {
      const s: TestSocket = ioClient(forum.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        autoConnect,
        extraHeaders: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) },
      });
      sockets.push(s);
      return s;
    },
    close: async () => {
      for (const s of sockets) s.disconnect();
      await forum.close();
    },
  };
}

/** Resolves with the next `event` on a socket, or rejects after ms. */
export function nextEvent<T = unknown>(socket: TestSocket, event: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    (socket as unknown as { once(e: string, f: (v: T) => void): void }).once(event, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

export function connected(socket: TestSocket, ms = 3000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect')), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Emits with an ack and resolves with the reply. */
export function emitAck<T = any>(socket: TestSocket, event: string, payload: unknown, ms = 3000): Promise<T> {
  return (socket as any).timeout(ms).emitWithAck(event, payload);
}

/** A logger that keeps every entry (as parsed JSON) in memory, for tests about what gets logged. */
export function capturingLogger(level = 'info'): { logger: Logger; entries: Record<string, any>[] } {
  const entries: Record<string, any>[] = [];
  const logger = pino({ level }, { write: (line: string) => void entries.push(JSON.parse(line)) });
  return { logger, entries };
}

/** The Redis the suites talk to: TEST_REDIS_URL, else the machine's own. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two instances of one forum, as behind a load balancer: one database, one Redis, its keys under a prefix of their
 * own (returned, for tests that look into Redis).
 */
export async function startTwoInstances(label: string, env: Record<string, string> = {}): Promise<{ a: TestForum; b: TestForum; prefix: string }> {
  const prefix = `test-${label.replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}`;
  const shared = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ...env };
  const dbName = freshDbName(label);
  const a = await startTestForum(shared, { dbName });
  const b = await startTestForum(shared, { dbName });
  return { a, b, prefix };
}

/** Leaves the shared Redis as it was found: the keys under `prefix` removed. */
async function removeTestKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

/** Closes both instances and leaves the shared Redis as it was found (their keys removed). */
export async function closeTwoInstances(a: TestForum | undefined, b: TestForum | undefined, prefix: string | undefined): Promise<void> {
  await Promise.all([a?.close(), b?.close()]);
  if (prefix) await removeTestKeys(prefix);
}

/**
 * Redis clients for a suite that talks to Redis itself, each on its own connection (as each forum instance has one),
 * its keys under a prefix of its own; `close` removes those keys and disconnects every client.
 */
export function testRedisClients(label: string): { prefix: string; client(url?: string, options?: RedisOptions): Redis; close(): Promise<void> } {
  const prefix = `test-${label}-${randomBytes(4).toString('hex')}`;
  const clients: Redis[] = [];
  return {
    prefix,
    client(url = TEST_REDIS_URL, options = {}) {
      const r = new Redis(url, options);
      clients.push(r);
      return r;
    },
    async close() {
      await removeTestKeys(prefix);
      for (const c of clients) c.disconnect();
    },
  };
}
