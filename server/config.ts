// The one place that reads process.env: validated once, typed, frozen.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SYNC_INTERVAL_MS } from './db/embedded';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);

/** A comma-separated list of words or phrases. */
const words = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((w) => w.trim()).filter(Boolean))
  .refine((list) => list.every((w) => w.length <= 60), 'may hold words of at most 60 characters');

const envSchema = z.object({
  PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: url(['mongodb:', 'mongodb+srv:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'may hold letters, digits and _ : . - only').default('chorus'),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  // Extensions of the contract (docs/API.md):
  GUEST_POSTING: bool.default(false),
  EDIT_WINDOW_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  DEMO_CONTENT: bool.default(true),
  EMBEDDED_DB_POSTGRESQL_URL: url(['postgres:', 'postgresql:']).optional(),
  EMBEDDED_DB_SYNC_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(10_000).default(DEFAULT_SYNC_INTERVAL_MS),
  TRUST_PROXY: z.string().optional(),
  REGISTER_LIMIT_PER_HOUR: z.coerce.number({ message: 'must be a number' }).int().min(1).default(20),
  POSTING_LIMIT_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(10),
  READ_LIMIT_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(1).default(600),
  MAX_SOCKETS_PER_ADDRESS: z.coerce.number({ message: 'must be a number' }).int().min(1).default(50),
  MAX_SESSIONS_PER_MEMBER: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(10),
  // Moderation defaults (an admin's settings override them once saved):
  PREMODERATION: z.enum(['off', 'new', 'all'], { message: 'must be off, new or all' }).default('off'),
  BANNED_WORDS: words,
  SUSPECT_WORDS: words,
  MAX_LINKS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(100).default(3),
  FLAG_THRESHOLD: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(3),
  GUEST_MIN_FILL_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0).max(600).default(3),
  PAGE_CACHE_MB: z.coerce.number({ message: 'must be a number' }).min(0).max(65536).default(64),
});

export interface Config {
  port: number;
  host: string;
  mongodbUri: string | null;
  dataDir: string;
  redisUrl: string | null;
  /** Namespaces every Redis key/stream/channel of this forum, so several forums can share one Redis. */
  redisPrefix: string;
  sessionSecret: string;
  publicUrl: string | null;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  guestPosting: boolean;
  editWindowMs: number;
  demoContent: boolean;
  embeddedPostgresUrl: string | null;
  /** The embedded SQLite database syncs its log to disk this often (ms); 0: at every commit. */
  embeddedSyncMs: number;
  trustProxy: string | null;
  secureCookies: boolean;
  /** Registrations per address per hour. */
  registerLimitPerHour: number;
  /** Posts per poster per minute (HTTP and socket share it). */
  postingLimitPerMinute: number;
  /** Reads the app answers itself (not readers' cache hits), per minute: per member signed in, else per address. */
  readLimitPerMinute: number;
  /** Signed-in sessions a member keeps at once; signing in once more ends the oldest. */
  maxSessionsPerMember: number;
  /** Live sockets one client address may hold (across instances with Redis). */
  maxSocketsPerAddress: number;
  /** The moderation settings' defaults, until an admin saves settings (GET/PATCH /api/admin/settings). */
  moderationDefaults: {
    premoderation: 'off' | 'new' | 'all';
    guestPosting: boolean;
    bannedWords: string[];
    suspectWords: string[];
    maxLinks: number;
    flagThreshold: number;
  };
  /** A guest's form posted sooner than this after the page was rendered is a bot's. */
  guestMinFillMs: number;
  /** Memory for cached thread pages (server/cache), in bytes; 0 turns the cache off. */
  pageCacheBytes: number;
}

export class ConfigError extends Error {}

/** Validates the environment; throws ConfigError with one line naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`config: ${name} ${issue.message} (got ${shown(name, clean[name] ?? '')})`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  // Where the forum keeps files (the embedded database, the session secret), DATA_DIR must be one it can make.
  if (!e.MONGODB_URI || !e.SESSION_SECRET) usableDataDir(dataDir);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI ?? null,
    dataDir,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    sessionSecret: e.SESSION_SECRET ?? sessionSecretIn(dataDir),
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    logLevel: e.LOG_LEVEL,
    guestPosting: e.GUEST_POSTING,
    editWindowMs: e.EDIT_WINDOW_MINUTES * 60_000,
    demoContent: e.DEMO_CONTENT,
    embeddedPostgresUrl: e.EMBEDDED_DB_POSTGRESQL_URL ?? null,
    embeddedSyncMs: e.EMBEDDED_DB_SYNC_MS,
    trustProxy: e.TRUST_PROXY ?? null,
    secureCookies: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).protocol === 'https:' : false,
    registerLimitPerHour: e.REGISTER_LIMIT_PER_HOUR,
    postingLimitPerMinute: e.POSTING_LIMIT_PER_MINUTE,
    readLimitPerMinute: e.READ_LIMIT_PER_MINUTE,
    maxSessionsPerMember: e.MAX_SESSIONS_PER_MEMBER,
    maxSocketsPerAddress: e.MAX_SOCKETS_PER_ADDRESS,
    moderationDefaults: Object.freeze({
      premoderation: e.PREMODERATION,
      guestPosting: e.GUEST_POSTING,
      bannedWords: e.BANNED_WORDS,
      suspectWords: e.SUSPECT_WORDS,
      maxLinks: e.MAX_LINKS,
      flagThreshold: e.FLAG_THRESHOLD,
    }),
    guestMinFillMs: e.GUEST_MIN_FILL_SECONDS * 1000,
    pageCacheBytes: Math.round(e.PAGE_CACHE_MB * 1024 * 1024),
  });
}

/** A bad value as the error line may show it: secrets never, passwords in URLs masked. */
function shown(name: string, value: string): string {
  if (/SECRET/.test(name)) return `${value.length} characters`;
  return JSON.stringify(/_(URI|URL)$/.test(name) ? maskUri(value) : value);
}

/** A secret generated once and kept in DATA_DIR, so sessions survive restarts without configuration. */
function sessionSecretIn(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  try {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const secret = randomBytes(32).toString('base64url');
    try {
      writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
      return secret;
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
      throw err;
    }
  } catch (err) {
    throw dataDirUnusable(err, dataDir);
  }
}

const dataDirUnusable = (err: unknown, dataDir: string) =>
  new ConfigError(`config: DATA_DIR cannot hold the forum's files (${(err as Error).message}) (got ${shown('DATA_DIR', dataDir)})`);

/** DATA_DIR, made if missing (the forum's user's alone: secrets and database files live there), or ConfigError. */
function usableDataDir(dataDir: string): void {
  try {
    makeDataDir(dataDir);
  } catch (err) {
    throw dataDirUnusable(err, dataDir);
  }
}

/**
 * DATA_DIR and the folders above it that are missing, one at a time: Node's recursive mkdir never returns for a path
 * it cannot make under some parents (/proc), and the forum would hang at start without a word.
 */
function makeDataDir(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDataDir(parent);
  mkdirSync(dir, { mode: 0o700 });
}

/** The database URI with any password replaced, for logs. */
export function maskUri(uri: string): string {
  return uri.replace(/^([a-z+]+:\/\/[^:/@]+:)([^@]*)@/i, '$1****@');
}
