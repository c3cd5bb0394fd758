// The embedded database's write-ahead log: written to the operating system at every commit, synced to disk at an
// interval (MongoDB's journal commit interval), or at every commit when the interval is 0.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { startEmbedded, type EmbeddedDatabase } from '../../server/db/embedded';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An embedded database whose own debug lines are kept, to see when it syncs its log. */
async function databaseWithLog(dir: string, syncIntervalMs: number) {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const db = await startEmbedded({ dataDir: join(dir, 'db'), syncIntervalMs, logLevel: 'debug', logger, backoffMs: 100 });
  const syncs = () => lines.filter((l) => l.includes('write-ahead log synced'));
  return { db, syncs };
}

async function insertSong(uri: string, title: string): Promise<void> {
  const conn = await mongoose.createConnection(uri, { dbName: 'synctest' }).asPromise();
  try {
    await conn.collection('songs').insertOne({ title });
  } finally {
    await conn.close();
  }
}

async function titles(uri: string): Promise<string[]> {
  const conn = await mongoose.createConnection(uri, { dbName: 'synctest' }).asPromise();
  try {
    return (await conn.collection('songs').find().toArray()).map((d) => d.title as string);
  } finally {
    await conn.close();
  }
}

describe('the embedded database syncing its log', () => {
  let dir: string;
  let db: EmbeddedDatabase | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chorus-sync-'));
  });
  afterEach(async () => {
    await db?.stop();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs a written log within the interval, leaves an unchanged one alone, and keeps every commit across a kill -9', async function () {
    this.timeout(30_000);
    const started = await databaseWithLog(dir, 50);
    db = started.db;
    await insertSong(db.uri, 'Heart of Glass');
    for (let i = 0; i < 40 && !started.syncs().some((l) => l.includes('synctest.sqlite-wal')); i++) await sleep(50);
    assert.ok(
      started.syncs().some((l) => l.includes('synctest.sqlite-wal')),
      `no sync of the written database's log: ${started.syncs().join('') || 'none'}`,
    );

    // Nothing written: after the one extra pass a just-written log gets, no more syncs.
    await sleep(300);
    const quiet = started.syncs().length;
    await sleep(500);
    assert.equal(started.syncs().length, quiet, 'an unchanged log was synced again');

    // A commit is in the operating system's hands when it is acknowledged: killing the database loses none.
    await insertSong(db.uri, 'Atomic');
    process.kill(db.pid!, 'SIGKILL');
    await sleep(200);
    await db.whenRunning();
    assert.deepEqual((await titles(db.uri)).sort(), ['Atomic', 'Heart of Glass']);
  });

  it('with an interval of 0 leaves syncing to SQLite at every commit', async function () {
    this.timeout(30_000);
    const started = await databaseWithLog(dir, 0);
    db = started.db;
    await insertSong(db.uri, 'Call Me');
    await sleep(500);
    assert.deepEqual(started.syncs(), []);
    assert.deepEqual(await titles(db.uri), ['Call Me']);
  });
});
