// Which database a process uses: MONGODB_URI, the embedded one already running for DATA_DIR, or a new embedded one.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { startEmbedded, type EmbeddedDatabase } from './embedded';

export interface ResolvedDatabase {
  uri: string;
  /** Set when this process started the embedded server (and so must stop it). */
  embedded: EmbeddedDatabase | null;
  release(): Promise<void>;
}

const runningFile = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'embedded-db.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The embedded database another process (npm start, npm run db) runs for this DATA_DIR, if any. */
export function runningEmbeddedUri(config: Pick<Config, 'dataDir'>): string | null {
  const file = runningFile(config);
  if (!existsSync(file)) return null;
  try {
    const { uri, pid } = JSON.parse(readFileSync(file, 'utf8')) as { uri: string; pid: number };
    return alive(pid) ? uri : null;
  } catch {
    return null;
  }
}

export async function resolveDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir' | 'embeddedPostgresUrl' | 'embeddedSyncMs'>,
  logger: Logger,
  opts: { share?: boolean } = {},
): Promise<ResolvedDatabase> {
  if (config.mongodbUri) return { uri: config.mongodbUri, embedded: null, release: async () => {} };
  const existing = runningEmbeddedUri(config);
  if (existing) {
    logger.info('using the embedded database already running for DATA_DIR');
    return { uri: existing, embedded: null, release: async () => {} };
  }
  logger.info({ dataDir: config.dataDir }, 'starting the embedded database');
  secureDataDir(config.dataDir);
  const embedded = await startEmbedded({
    dataDir: join(config.dataDir, 'db'),
    postgresUrl: config.embeddedPostgresUrl,
    syncIntervalMs: config.embeddedSyncMs,
    logger,
    lockFile: join(config.dataDir, 'db.lock'),
    auth: embeddedAuth(config.dataDir),
  });
  const file = runningFile(config);
  // Published so `npm run import`/`admin` reuse this server instead of opening the same files twice. It holds the
  // database password: the owner's eyes only.
  if (opts.share !== false) {
    writeFileSync(file, JSON.stringify({ uri: embedded.uri, pid: process.pid }), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    uri: embedded.uri,
    embedded,
    release: async () => {
      if (opts.share !== false) rmSync(file, { force: true });
      await embedded.stop();
    },
  };
}

/**
 * DATA_DIR holds the database files, its password and the session secret: readable by the forum's user only
 * (0700, files 0600). Made so, and tightened on every start for a directory made by an older version.
 */
export function secureDataDir(dataDir: string): void {
  const db = join(dataDir, 'db');
  mkdirSync(db, { recursive: true, mode: 0o700 });
  for (const dir of [dataDir, db]) {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isFile()) chmodSync(join(dir, entry.name), 0o600);
  }
}

/**
 * The embedded database's password: generated once into DATA_DIR/db-secret (0600), the same way as the session
 * secret. The database creates its user with it on first start; the forum and the CLIs sign in with it.
 */
export function embeddedAuth(dataDir: string): { password: string; passwordFile: string } {
  const passwordFile = join(dataDir, 'db-secret');
  if (!existsSync(passwordFile)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return { password: readFileSync(passwordFile, 'utf8').trim(), passwordFile };
}
