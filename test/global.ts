// mocha global fixtures: one embedded database for the whole run (or TEST_MONGODB_URI when given).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from '../server/db/embedded';

let db: EmbeddedDatabase | null = null;
let dir: string | null = null;

export async function mochaGlobalSetup() {
  if (process.env.TEST_MONGODB_URI) return;
  dir = mkdtempSync(join(tmpdir(), 'chorus-test-db-'));
  db = await startEmbedded({ dataDir: dir });
  process.env.TEST_MONGODB_URI = db.uri;
}

export async function mochaGlobalTeardown() {
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
