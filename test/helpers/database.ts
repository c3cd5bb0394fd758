// The run's database, started on first use: unit tests never boot it, and API and browser tests share one
// embedded server per run (a fresh database per file, see forum.ts). TEST_MONGODB_URI points at your own instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from '../../server/db/embedded';
import { embeddedAuth } from '../../server/db/resolve';

let started: Promise<{ db: EmbeddedDatabase; dir: string }> | null = null;

/** The mongodb:// URI of the run's database server, starting the embedded one the first time it is asked for. */
export async function testDatabaseUri(): Promise<string> {
  const given = process.env.TEST_MONGODB_URI;
  if (given && !started) return given;
  if (!started) {
    const starting = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chorus-test-db-'));
      // As `npm start` runs it: locked to its directory, and refusing clients without the password.
      return { db: await startEmbedded({ dataDir: join(dir, 'db'), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir) }), dir };
    })();
    // A failed start is not kept: the next file that asks tries again and reports its own error.
    starting.catch(() => started === starting && (started = null));
    started = starting;
  }
  const { uri } = (await started).db;
  // Also where tests and child processes of the run have always read it, once there is one.
  process.env.TEST_MONGODB_URI = uri;
  return uri;
}

/** Stops the embedded server if this run started one (mocha's global teardown). */
export async function stopTestDatabase(): Promise<void> {
  if (!started) return;
  const run = await started.catch(() => null);
  started = null;
  if (!run) return;
  await run.db.stop();
  rmSync(run.dir, { recursive: true, force: true });
}
