// A socket that floods comment:post faster than posts are written is refused beyond a small queue, never queued without end.
import assert from 'node:assert/strict';
import { createSong } from '../../server/songs/service';
import { signUp } from '../helpers/accounts';
import { connected, startTestForum, type TestForum } from '../helpers/forum';

describe('live threads: a flood of posts from one socket', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000' })));
  after(() => forum.close());

  it('writes the first posts in order and refuses the rest with RATE_LIMITED, storing only what it answered ok', async function () {
    this.timeout(30_000);
    const admin = await signUp(forum, { role: 'admin' });
    const { slug } = await createSong(forum.deps, admin.user, { title: 'Flood', artist: 'Many Posts' });
    const member = await signUp(forum);
    const socket = forum.socket({ cookie: member.cookie });
    await connected(socket);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (socket as any).timeout(20_000).emitWithAck('comment:post', { slug, body: `flood ${i}`, clientId: `flood-${i}` })),
    );
    const ok = replies.filter((r) => r.ok);
    const refused = replies.filter((r) => !r.ok);
    assert.ok(ok.length >= 20 && ok.length < 60, `${ok.length} stored`);
    assert.ok(refused.every((r) => r.error.code === 'RATE_LIMITED'));
    const page = (await forum.agent().get(`/api/songs/${slug}/comments`).query({ limit: '100' }).expect(200)).body;
    assert.equal(page.total, ok.length);
    assert.deepEqual(
      page.items.map((c: { body: string }) => c.body),
      ok.map((r) => r.comment.body),
    );
  });
});
