// Two forum instances on one database (as with `npm run db`): posts racing into one thread from both all land,
// each once, and paging finds every one of them.
import assert from 'node:assert/strict';
import type { CommentDTO, SongDTO } from '../../shared/types';
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
});
