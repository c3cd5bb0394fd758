// Two forum instances on one database (as with `npm run db`): posts racing into one thread from both all land,
// each once, and paging finds every one of them.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import type { CommentDTO, SongDTO } from '../../shared/types';
import { songModel } from '../../server/songs/model';
import { signUp } from '../helpers/accounts';
import { freshDbName, startTestForum, type TestForum } from '../helpers/forum';

describe('comments API: two instances on one database', () => {
  let a: TestForum;
  let b: TestForum;
  before(async () => {
    const dbName = freshDbName('two_instances');
    a = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000' }, { dbName });
    b = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000' }, { dbName });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('keeps every post of a race between instances, each at its own position', async function () {
    this.timeout(60_000);
    const admin = await signUp(a, { role: 'admin' });
    const song: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Race', artist: 'Two Instances' }).expect(201)).body;
    const onA = await signUp(a);
    // The same session cookie works on B: sessions live in the shared database.
    const onB = b.agent().set('cookie', onA.cookie);
    const posts = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? onB : onA.agent).post(`/api/songs/${song.slug}/comments`).send({ body: `race ${i}`, clientId: `race-${i}` }),
    );
    const answers = await Promise.all(posts);
    for (const res of answers) assert.equal(res.status, 201, JSON.stringify(res.body));

    const seen: CommentDTO[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: CommentDTO[]; nextCursor: string | null } = (
        await a.agent().get(`/api/songs/${song.slug}/comments`).query({ limit: '15', ...(cursor ? { cursor } : {}) }).expect(200)
      ).body;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const bodies = seen.map((c) => c.body).sort();
    assert.deepEqual(bodies, Array.from({ length: 40 }, (_, i) => `race ${i}`).sort());
    assert.equal(new Set(seen.map((c) => c.id)).size, 40);
  });

  it('places a post after whatever the other instance wrote meanwhile, once, where a reader catching up finds it', async () => {
    // Each instance knows the last position it claimed in the thread and claims the next one beside the song's
    // counters. Here the other instance wrote meanwhile, and a post cut short left a claimed position empty below it.
    const admin = await signUp(a, { role: 'admin' });
    const song: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Meanwhile', artist: 'Two Instances' }).expect(201)).body;
    const onA = await signUp(a);
    const onB = b.agent().set('cookie', onA.cookie);
    const post = (agent: ReturnType<TestForum['agent']>, body: string) => agent.post(`/api/songs/${song.slug}/comments`).send({ body, clientId: body.replace(/\W+/g, '-') }).expect(201);
    const read = async (query: Record<string, string>): Promise<string[]> =>
      ((await a.agent().get(`/api/songs/${song.slug}/comments`).query({ limit: '50', ...query }).expect(200)).body.items as CommentDTO[]).map((c) => c.body);

    await post(onA.agent, 'first, on A');
    await songModel(a.deps.db.conn).updateOne({ _id: new mongoose.Types.ObjectId(song.id) }, { $inc: { lastSeq: 1 } });
    const second: CommentDTO = (await post(onB, 'second, on B')).body;
    assert.deepEqual(await read({}), ['first, on A', 'second, on B']);
    await post(onA.agent, 'third, on A');

    assert.deepEqual(await read({}), ['first, on A', 'second, on B', 'third, on A'], 'each once, in posting order');
    assert.deepEqual(await read({ after: second.id }), ['third, on A'], 'a reader who had the second catches up with the third');
    assert.deepEqual(await read({ sort: 'newest' }), ['third, on A', 'second, on B', 'first, on A']);
    assert.equal((await a.agent().get(`/api/songs/${song.slug}`).expect(200)).body.commentCount, 3);
  });
});
