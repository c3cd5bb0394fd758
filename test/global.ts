// mocha global fixtures: one embedded database for the whole run (or TEST_MONGODB_URI when given).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from '../server/db/embedded';
import { embeddedAuth } from '../server/db/resolve';

let db: EmbeddedDatabase | null = null;
let dir: string | null = null;

export async function mochaGlobalSetup() {
  if (process.env.TEST_MONGODB_URI) return;
  dir = mkdtempSync(join(tmpdir(), 'chorus-test-db-'));
  // As `npm start` runs it: locked to its directory, and refusing clients without the password.
  db = await startEmbedded({ dataDir: join(dir, 'db'), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir) });
  process.env.TEST_MONGODB_URI = db.uri;
}

export async function mochaGlobalTeardown() {
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
