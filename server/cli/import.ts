// `npm run import -- FILE...`: imports song pages (the song-page text format) into the configured database.
// One line per song; a bad file gets a line on stderr and exit code 1, while the good files are still imported.
import { plural } from '../../shared/words';
import { readFile } from 'node:fs/promises';
import { createPageCache } from '../cache';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { resolveDatabase } from '../db/resolve';
import { createLogger } from '../logger';
import { parseSongPage, SongPageError } from '../songs/import';
import { createThreadRepairs } from '../comments/repair';
import { counterQueueFor, createThreadStore, defaultStoreKind } from '../comments/store';
import { prepareCollections } from '../models';
import { upsertSongFromPage } from '../imports/importer';
import { createRedis, whenReady } from '../redis';

const USAGE = 'usage: npm run import -- FILE...';

async function main(files: string[]): Promise<number> {
  if (!files.length || files.some((f) => f === '--help' || f === '-h')) {
    console.error(USAGE);
    return files.length ? 0 : 1;
  }
  const config = loadConfig();
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const database = await resolveDatabase(config, logger, { share: false });
  const db = await connectDatabase(database.uri);
  // Forums may be running on this database: with REDIS_URL the import takes the same counter locks they do, and moves
  // the thread versions they keep there, so no instance serves a page cached before it. (Without Redis a running
  // forum's in-process page cache cannot hear of it: restart it.)
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : null;
  const threadCache = createPageCache({ budgetBytes: 0, redis, redisKeyPrefix: `${config.redisPrefix}:${db.conn.name}`, logger });
  let failed = 0;
  try {
    if (redis && !(await whenReady(redis, 5000))) throw new Error('Redis (REDIS_URL) is not reachable: the import would move counters unguarded');
    await prepareCollections(db.conn);
    const kind = defaultStoreKind(db);
    const threads = createThreadStore(db, kind, counterQueueFor(kind, redis, { prefix: `${config.redisPrefix}:${db.conn.name}`, logger }));
    const repairs = createThreadRepairs({ db, threads, logger, threadCache });
    for (const file of files) {
      try {
        const page = parseSongPage(await readFile(file, 'utf8'));
        const { song, created, comments } = await upsertSongFromPage({ db, threads, repairs, threadCache }, page);
        console.log(`${created ? 'created' : 'updated'} ${song.slug}: ${plural(song.facts?.length ?? 0, 'fact', 'facts')}, ${plural(comments, 'comment', 'comments')} added`);
      } catch (err) {
        failed++;
        console.error(`${file}: ${describe(err)}; skipped`);
      }
    }
  } finally {
    threadCache.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    await db.close();
    await database.release();
  }
  return failed ? 1 : 0;
}

function describe(err: unknown): string {
  if (err instanceof SongPageError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'EACCES') return 'permission denied';
  return e?.message ?? String(err);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `import failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
