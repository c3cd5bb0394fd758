import assert from 'node:assert/strict';
import type { SongDTO } from '../../shared/types';
import { loadDemoIfEmpty } from '../../server/imports/demo';
import { signUp } from '../helpers/accounts';
import { capturingLogger, freshDbName, startTestForum, type TestForum } from '../helpers/forum';

describe('demo content', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  it('loads a handful of songs with facts and comments into an empty database, once', async () => {
    assert.equal(await loadDemoIfEmpty(forum.deps), 5);
    const list = (await forum.agent().get('/api/songs').expect(200)).body.items as SongDTO[];
    assert.equal(list.length, 5);
    const lucky = (await forum.agent().get('/api/songs/daft-punk-get-lucky').expect(200)).body as SongDTO;
    assert.deepEqual(lucky.featuring, ['Pharrell Williams', 'Nile Rodgers']);
    assert.ok(lucky.facts!.length >= 3);
    for (const s of list) {
      const thread = (await forum.agent().get(`/api/songs/${s.slug}/comments`).expect(200)).body;
      assert.ok(thread.items.length >= 1, s.slug);
      assert.ok(thread.items.every((c: { author: { name: string; location: string | null } }) => c.author.name && c.author.location), s.slug);
    }
    assert.equal(await loadDemoIfEmpty(forum.deps), 0);
    assert.equal((await forum.agent().get('/api/songs').expect(200)).body.items.length, 5);
  });

  it('loads once, whole and quietly, when two instances start on one empty database at the same moment', async () => {
    const dbName = freshDbName('demo-race');
    const logs = capturingLogger('warn');
    const a = await startTestForum({}, { dbName, logger: logs.logger });
    const b = await startTestForum({}, { dbName, logger: logs.logger });
    const single = await startTestForum();
    try {
      await loadDemoIfEmpty(single.deps);
      const [byA, byB] = await Promise.all([loadDemoIfEmpty(a.deps), loadDemoIfEmpty(b.deps)]);
      assert.deepEqual(logs.entries.filter((e) => /demo/.test(e.msg)).map((e) => `${e.msg}: ${e.err}`), [], 'no warnings: the other instance loading the same song is no fault');
      assert.ok(byA + byB >= 5, `${byA} + ${byB} songs loaded`);
      const list = (await a.agent().get('/api/songs').expect(200)).body.items as SongDTO[];
      assert.equal(list.length, 5);
      // Every song whole and nothing twice: each thread as a single load makes it.
      for (const s of list) {
        const one = (await single.agent().get(`/api/songs/${s.slug}/comments?limit=100`).expect(200)).body.items.map((c: { body: string }) => c.body);
        const both = (await b.agent().get(`/api/songs/${s.slug}/comments?limit=100`).expect(200)).body.items.map((c: { body: string }) => c.body);
        assert.deepEqual(both, one, s.slug);
      }
    } finally {
      await Promise.all([a.close(), b.close(), single.close()]);
    }
  });

  it('leaves a database that already has songs alone', async () => {
    const other = await startTestForum();
    try {
      const admin = await signUp(other, { role: 'admin' });
      await admin.agent.post('/api/songs').send({ title: 'Mine', artist: 'Me' }).expect(201);
      assert.equal(await loadDemoIfEmpty(other.deps), 0);
      assert.equal((await other.agent().get('/api/songs').expect(200)).body.items.length, 1);
    } finally {
      await other.close();
    }
  });
});
