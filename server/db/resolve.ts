// Which database a process uses: MONGODB_URI, the embedded one already running for DATA_DIR, or a new embedded one.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  config: Pick<Config, 'mongodbUri' | 'dataDir' | 'embeddedPostgresUrl'>,
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
  const embedded = await startEmbedded({ dataDir: join(config.dataDir, 'db'), postgresUrl: config.embeddedPostgresUrl, logger });
  const file = runningFile(config);
  // Published so `npm run import`/`admin` reuse this server instead of opening the same files twice.
  if (opts.share !== false) writeFileSync(file, JSON.stringify({ uri: embedded.uri, pid: process.pid }));
  return {
    uri: embedded.uri,
    embedded,
    release: async () => {
      if (opts.share !== false) rmSync(file, { force: true });
      await embedded.stop();
    },
  };
}
