// Redis going away (killed, or hung) must not take the forum with it: whatever needs Redis (a signed-in request,
// login, registration, posting) answers 503 REDIS_UNAVAILABLE without waiting for it, anonymous reading and live
// fan-out keep working, /healthz says so, and everything comes back by itself when Redis does.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSong } from '../../server/songs/service';
import { signUp, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, startTestForum, type TestForum, type TestSocket } from '../helpers/forum';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });

/** A private redis-server that saves to `dir` when stopped, so sessions outlive a restart as in production. */
function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/Ready to accept connections/.test(line)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve(null) : child.once('exit', resolve)));

describe('a Redis outage', function () {
  this.timeout(40_000);
  const dir = mkdtempSync(join(tmpdir(), 'chorus-redis-outage-'));
  let port: number;
  let redis: ChildProcess;
  let forum: TestForum;
  let member: SignedUp;
  let slug: string;
  let songId: string;
  let reader: TestSocket;

  before(async () => {
    port = await freePort();
    redis = await startRedis(port, dir);
    forum = await startTestForum({ REDIS_URL: `redis://127.0.0.1:${port}`, GUEST_POSTING: 'true' });
    const admin = await signUp(forum, { role: 'admin' });
    ({ slug, id: songId } = await createSong(forum.deps, admin.user, { title: 'Outage', artist: 'The Unavailables' }));
    member = await signUp(forum);
    reader = forum.socket();
    await connected(reader);
    assert.equal((await emitAck(reader, 'thread:join', { slug })).ok, true);
  });
  after(async () => {
    await forum?.close();
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const api = () => forum.agent();
  const withCookie = (path: string) => api().get(path).set('cookie', member.cookie);

  /** Everything that needs Redis answers 503, never 500; anonymous reading answers 200. */
  async function assertDegraded() {
    const health = await api().get('/healthz');
    assert.equal(health.status, 503);
    assert.deepEqual(health.body, { status: 'degraded', db: 'up', redis: 'down' });

    const needRedis: [string, () => PromiseLike<{ status: number; text: string; body: any }>][] = [
      ['a signed-in request', () => withCookie('/api/auth/me')],
      ['a login', () => api().post('/api/auth/login').send({ username: member.user.username, password: TEST_PASSWORD })],
      ['a registration', () => api().post('/api/auth/register').send({ username: 'during_outage', password: TEST_PASSWORD })],
      ["a member's post", () => api().post(`/api/songs/${slug}/comments`).set('cookie', member.cookie).send({ body: 'member post' })],
      ["a guest's post", () => api().post(`/api/songs/${slug}/comments`).send({ body: 'guest post', author: { name: 'Guest' } })],
    ];
    for (const [what, send] of needRedis) {
      const res = await send();
      assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
      assert.equal(res.body.error.code, 'REDIS_UNAVAILABLE', what);
    }
    const page = await withCookie(`/songs/${slug}`);
    assert.equal(page.status, 503);
    assert.match(page.text, /reading works without signing in/);

    for (const path of ['/', `/songs/${slug}`, '/api/songs', `/api/songs/${slug}`, `/api/songs/${slug}/comments`]) {
      assert.equal((await api().get(path)).status, 200, path);
    }
    // Live: the reader stays connected and still gets what this instance broadcasts; a new reader connects and joins.
    const heard = nextEvent<{ id: string }>(reader, 'comment:removed');
    forum.deps.bus.emit('comment.removed', { id: 'c1', songId });
    assert.equal((await heard).id, 'c1');
    const late = forum.socket();
    await connected(late);
    const joined = await emitAck(late, 'thread:join', { slug });
    assert.equal(joined.ok, true, JSON.stringify(joined));
    late.disconnect();
  }

  it('answers at once while Redis hangs (a stopped process): 503 without waiting for it to wake', async () => {
    redis.kill('SIGSTOP');
    try {
      // Each of these would wait for as long as Redis sleeps if commands queued or had no timeout.
      await assertDegraded();
    } finally {
      redis.kill('SIGCONT');
    }
  });

  it('answers 503 REDIS_UNAVAILABLE while Redis is down, and keeps anonymous reading and live fan-out working', async () => {
    const lost = new Promise((resolve) => forum.deps.redis!.once('close', resolve));
    redis.kill('SIGTERM');
    await exited(redis);
    await lost;
    await assertDegraded();
  });

  it('recovers by itself when Redis returns on the same port: readers told to catch up, healthy, signed in, logging in and posting live', async () => {
    // Readers are told to catch up: what other instances announced while Redis was away never reached them.
    const resync = nextEvent(reader, 'thread:resync', 20_000);
    redis = await startRedis(port, dir);
    await resync;
    while ((await api().get('/healthz')).status !== 200) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await api().get('/healthz')).body, { status: 'ok', db: 'up', redis: 'up' });
    assert.equal((await withCookie('/api/auth/me').expect(200)).body.id, member.user.id);
    await api().post('/api/auth/login').send({ username: member.user.username, password: TEST_PASSWORD }).expect(200);
    const created = nextEvent<{ body: string }>(reader, 'comment:created');
    await api().post(`/api/songs/${slug}/comments`).set('cookie', member.cookie).send({ body: 'back again' }).expect(201);
    assert.equal((await created).body, 'back again');
  });
});
