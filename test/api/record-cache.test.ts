// Comment records kept across thread versions (server/comments/store/records.ts) on two instances of one forum: one
// embedded database, one Redis. Both have read the thread (its records kept on both); a write on one is in the very
// next read on the other, in the API and the song page, although the other rebuilds the page from what it kept:
// each write's log entry (server/cache/versions.ts) drops exactly the records it touched, and a log that cannot tell
// (trimmed, flushed) drops the thread's records. A rebuild reads from the database only what changed.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { CommentDTO } from '../../shared/types';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { closeTwoInstances, startTwoInstances, TEST_REDIS_URL, type TestForum } from '../helpers/forum';
import { byId, readApi, readHtml } from '../helpers/reads';

describe('comment records kept across versions, two instances with Redis', function () {
  this.timeout(60_000);
  let a: TestForum;
  let b: TestForum;
  let prefix: string;
  let redis: Redis;
  let author: SignedUp;
  let voter: SignedUp;
  let moderator: SignedUp;
  let slug: string;
  let songId: string;
  let first: CommentDTO;
  let reply: CommentDTO;

  /** The member's requests to `forum` (their session is in the shared database). */
  const as = (m: SignedUp, forum: TestForum) => (forum === a ? m.agent : forum.agent().set('cookie', m.cookie));

  before(async () => {
    ({ a, b, prefix } = await startTwoInstances('record_cache', { POSTING_LIMIT_PER_MINUTE: '1000', FLAG_THRESHOLD: '1' }));
    redis = new Redis(TEST_REDIS_URL);
    author = await signUp(a);
    voter = await signUp(a);
    moderator = await signUp(a, { role: 'moderator' });
    const song = await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Kept Records', artist: 'The Changelog' });
    slug = song.slug;
    songId = song.id;
    first = (await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'the first comment' }).expect(201)).body;
    for (let i = 0; i < 6; i++) await author.agent.post(`/api/songs/${slug}/comments`).send({ body: `comment ${i}` }).expect(201);
    reply = (await voter.agent.post(`/api/songs/${slug}/comments`).send({ body: 'a reply', parentId: first.id }).expect(201)).body;
  });
  after(async () => {
    await redis?.quit();
    await closeTwoInstances(a, b, prefix);
  });

  /** Both instances read the thread's API page and song page: each keeps its records (and caches the pages). */
  async function readOnBoth() {
    for (const forum of [a, b]) {
      await readApi(forum, slug);
      await readHtml(forum, slug);
    }
  }

  /** The next read on `forum` has the write, in the API and the song page. */
  async function seenOn(forum: TestForum, check: (items: CommentDTO[], form: string) => void) {
    check((await readApi(forum, slug)).items, 'API');
    check((await readHtml(forum, slug)).items, 'song page');
  }

  it('shows a vote on A in the next read on B, whose kept record has the old score', async () => {
    await readOnBoth();
    await as(voter, a).post(`/api/comments/${first.id}/votes`).send({ value: 1 }).expect(200);
    await seenOn(b, (items, form) => assert.equal(byId(items, first.id)?.score, 1, form));
  });

  it("shows a reply posted on B in the next read on A, with its parent's new reply count", async () => {
    await readOnBoth();
    const posted: CommentDTO = (await as(author, b).post(`/api/songs/${slug}/comments`).send({ body: 'a second reply', parentId: first.id }).expect(201)).body;
    await seenOn(a, (items, form) => {
      assert.equal(byId(items, posted.id)?.body, 'a second reply', form);
      assert.equal(byId(items, first.id)?.replyCount, 2, `${form}: the parent's kept record was read again`);
    });
  });

  it('shows an edit on A in the next read on B, and in the reply context of its replies', async () => {
    await readOnBoth();
    await as(author, a).patch(`/api/comments/${first.id}`).send({ body: 'the first comment, edited' }).expect(200);
    await seenOn(b, (items, form) => {
      assert.equal(byId(items, first.id)?.body, 'the first comment, edited', form);
      assert.match(String((byId(items, reply.id) as { inReplyTo?: { excerpt: string } })?.inReplyTo?.excerpt), /edited/, form);
    });
  });

  it("shows a moderator's pick on B in the next read on A", async () => {
    await readOnBoth();
    await as(moderator, b).post(`/api/moderation/comments/${reply.id}`).send({ action: 'feature' }).expect(200);
    await seenOn(a, (items, form) => assert.equal(byId(items, reply.id)?.featured, true, form));
  });

  it("drops a reply held by a flag on A from B's next read, with its parent's count; the held reply's removal shows again", async () => {
    const held: CommentDTO = (await as(author, a).post(`/api/songs/${slug}/comments`).send({ body: 'flag this reply', parentId: first.id }).expect(201)).body;
    await readOnBoth();
    const replies = byId((await readApi(b, slug)).items, first.id)!.replyCount;
    // FLAG_THRESHOLD is 1: one flag holds it (visible -> pending moves its parent's reply count).
    await as(voter, a).post(`/api/comments/${held.id}/flags`).send({ reason: 'spam' }).expect(202);
    await seenOn(b, (items, form) => {
      assert.equal(byId(items, held.id), undefined, form);
      assert.equal(byId(items, first.id)?.replyCount, replies - 1, form);
    });
    await readOnBoth();
    // Its author takes it back while held (pending -> removed): readers see the placeholder, counted again.
    await as(author, a).delete(`/api/comments/${held.id}`).expect(204);
    await seenOn(b, (items, form) => {
      assert.equal(byId(items, held.id)?.status, 'removed', form);
      assert.equal(byId(items, first.id)?.replyCount, replies, `${form}: the removal named the parent too`);
    });
  });

  it("shows a moderator's rejection on B in the next read on A", async () => {
    const doomed: CommentDTO = (await as(author, b).post(`/api/songs/${slug}/comments`).send({ body: 'reject me' }).expect(201)).body;
    await readOnBoth();
    assert.ok(byId((await readApi(a, slug)).items, doomed.id));
    await as(moderator, b).post(`/api/moderation/comments/${doomed.id}`).send({ action: 'reject' }).expect(200);
    await seenOn(a, (items, form) => assert.equal(byId(items, doomed.id), undefined, form));
  });

  it('drops the thread\'s records on B when the log has a gap (trimmed) rather than serving old ones', async () => {
    await readOnBoth();
    await as(author, a).post(`/api/comments/${reply.id}/votes`).send({ value: 1 }).expect(200);
    // As if more writes than the log keeps had come since B's records were valid.
    await redis.del(`${prefix}:${b.dbName}:thread-log:${songId}`);
    await seenOn(b, (items, form) => assert.equal(byId(items, reply.id)?.score, 1, form));
  });

  it("drops the thread's records on B when Redis lost the thread's version and log (flushed)", async () => {
    await readOnBoth();
    await as(author, a).post(`/api/comments/${reply.id}/votes`).send({ value: -1 }).expect(200);
    await redis.del(`${prefix}:${b.dbName}:thread-version:${songId}`, `${prefix}:${b.dbName}:thread-log:${songId}`);
    await seenOn(b, (items, form) => assert.equal(byId(items, reply.id)?.score, -1, form));
  });

  it('rebuilds a page after a write on A reading from the database only the comment the write touched', async () => {
    await readOnBoth();
    const reads = { comments: 0, positions: 0 };
    b.deps.db.conn.set('debug', (collection: string) => {
      if (collection === 'comments') reads.comments++;
      if (collection === 'threadpositions') reads.positions++;
    });
    try {
      await as(voter, a).post(`/api/comments/${first.id}/votes`).send({ value: -1 }).expect(200);
      const api = await readApi(b, slug);
      assert.equal(byId(api.items, first.id)?.score, -1);
      assert.ok(api.items.length >= 10, 'a page of every comment');
      assert.deepEqual(reads, { comments: 1, positions: 1 }, 'the voted comment, and the check past the last position');
      const html = await readHtml(b, slug);
      assert.equal(byId(html.items, first.id)?.score, -1);
      assert.equal(reads.comments, 1, 'the song page after it: every record kept');
    } finally {
      b.deps.db.conn.set('debug', false);
    }
  });
});
