import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralPortRange, startEmbedded, type EmbeddedDatabase } from '../../server/db/embedded';
import { embeddedAuth } from '../../server/db/resolve';
import { startTestForum, type TestForum } from '../helpers/forum';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database going away and coming back', () => {
  let dir: string;
  let db: EmbeddedDatabase;
  let forum: TestForum;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chorus-dbdown-'));
    // A database of its own, so killing it leaves the run's shared one alone; a slow restart so the outage is observable.
    // Locked and signed in as `npm start` runs it: a restart takes the lock again and keeps the user.
    db = await startEmbedded({ dataDir: join(dir, 'db'), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir), backoffMs: 2500 });
    forum = await startTestForum({}, { mongodbUri: db.uri });
  });
  after(async () => {
    await forum.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a port the kernel never gives an outgoing connection, so a restart finds it free', () => {
    const port = Number(new URL(db.uri).port);
    const [lo, hi] = ephemeralPortRange();
    assert.ok(port > 0 && (port < lo || port > hi), `port ${port}, outgoing connections take ${lo}-${hi}`);
  });

  it('reports degraded within a second, answers API calls 503 DB_UNAVAILABLE, then recovers by itself', async function () {
    this.timeout(30_000);
    await forum.agent().get('/healthz').expect(200);

    process.kill(db.pid!, 'SIGKILL');
    const t0 = Date.now();
    const health = await forum.agent().get('/healthz');
    assert.equal(health.status, 503);
    assert.deepEqual(health.body, { status: 'degraded', db: 'down' });
    assert.ok(Date.now() - t0 < 1000, `healthz took ${Date.now() - t0} ms`);

    const api = await forum.agent().get('/api/songs');
    assert.equal(api.status, 503);
    assert.equal(api.body.error.code, 'DB_UNAVAILABLE');

    // The supervisor restarts the database on the same port; the driver reconnects without help.
    await db.whenRunning();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await forum.agent().get('/healthz')).status;
      if (status !== 200) await sleep(250);
    }
    assert.equal(status, 200);
    const again = await forum.agent().get('/api/songs');
    assert.notEqual(again.status, 503);
  });

  it('opens the API again by itself after a ping went unanswered, without anyone asking /healthz', async function () {
    this.timeout(40_000);
    await db.whenRunning();
    await forum.agent().get('/healthz').expect(200);
    // A database that stalls (not gone: the connection stays open) fails the health ping and closes the API...
    const stalled = db.pid!;
    process.kill(stalled, 'SIGSTOP');
    try {
      // (Bounded by time: a ping already answered before the stop may be the first one read.)
      let health = 0;
      for (const end = Date.now() + 5000; health !== 503 && Date.now() < end; ) health = (await forum.agent().get('/healthz')).status;
      const state = (() => {
        try {
          return readFileSync(`/proc/${stalled}/stat`, 'utf8').split(' ')[2];
        } catch {
          return 'gone';
        }
      })();
      assert.equal(health, 503, `pid ${stalled} (now ${db.pid}) in state ${state}, serving ${db.uri.replace(/\/\/[^@]*@/, '//')}`);
    } finally {
      process.kill(stalled, 'SIGCONT');
    }
    // ...and API calls alone find it answering again.
    // (Bounded by time, not tries: on a loaded machine the woken database may take a while to answer again.)
    let status = 0;
    for (const end = Date.now() + 25_000; status !== 200 && Date.now() < end; ) {
      status = (await forum.agent().get('/api/songs')).status;
      if (status !== 200) await sleep(250);
    }
    assert.equal(status, 200);
  });
});
