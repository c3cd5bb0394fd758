import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import type { CommentDTO, CommentPage, SongDTO } from '../../shared/types';
import { editComment } from '../../server/comments/edit';
import { commentModel } from '../../server/comments/model';
import { toErrorBody } from '../../server/http/errors';
import { songModel } from '../../server/songs/model';
import { signUp, type SignedUp } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

type Agent = SignedUp['agent'];

async function makeSong(admin: SignedUp, title: string): Promise<SongDTO> {
  return (await admin.agent.post('/api/songs').send({ title, artist: 'Thread Tester' }).expect(201)).body;
}

async function post(agent: Agent, slug: string, body: Record<string, unknown>, status = 201): Promise<CommentDTO> {
  const res = await agent.post(`/api/songs/${slug}/comments`).send(body);
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body;
}

async function thread(forum: TestForum, slug: string, query: Record<string, string> = {}): Promise<CommentPage> {
  return (await forum.agent().get(`/api/songs/${slug}/comments`).query(query).expect(200)).body;
}

const forged = (o: string, k: number) => Buffer.from(JSON.stringify({ o, k, i: '0'.repeat(24) })).toString('base64url');

const songOf = async (forum: TestForum, slug: string): Promise<SongDTO> => (await forum.agent().get(`/api/songs/${slug}`).expect(200)).body;

describe('comments API', () => {
  let forum: TestForum;
  let admin: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let mod: SignedUp;
  let song: SongDTO;
  let other: SongDTO;

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000', REGISTER_LIMIT_PER_HOUR: '1000' });
    admin = await signUp(forum, { role: 'admin' });
    alice = await signUp(forum, { displayName: 'Alice A', location: 'Leeds' });
    bob = await signUp(forum);
    mod = await signUp(forum, { role: 'moderator' });
    song = await makeSong(admin, 'Main Thread');
    other = await makeSong(admin, 'Other Thread');
  });
  after(() => forum.close());

  it('reads threads through the store made for the database found at connect', () => {
    assert.equal(forum.deps.threads.kind, forum.deps.db.idLookupsOnly ? 'embedded' : 'mongo');
  });

  describe('posting', () => {
    it('posts a member comment (201) in the Comment shape and moves the song counters', async () => {
      const before = Date.now();
      const events: unknown[] = [];
      const listener = (e: unknown) => events.push(e);
      forum.deps.bus.on('comment.created', listener);
      const c = await post(alice.agent, song.slug, { body: '  First!  ' });
      forum.deps.bus.off('comment.created', listener);
      assert.deepEqual(Object.keys(c).sort(), ['author', 'body', 'clientId', 'createdAt', 'editedAt', 'editedBy', 'featured', 'id', 'inReplyTo', 'parentId', 'removedBy', 'replyCount', 'score', 'songId', 'status'].sort());
      assert.equal(c.body, 'First!');
      assert.equal(c.songId, song.id);
      assert.equal(c.parentId, null);
      assert.deepEqual(c.author, { name: 'Alice A', location: 'Leeds', userId: alice.user.id, guest: false });
      assert.equal(c.status, 'visible');
      assert.equal(c.score, 0);
      assert.equal(c.replyCount, 0);
      assert.equal(c.featured, false);
      assert.equal(c.editedAt, null);
      assert.ok(Date.parse(c.createdAt) >= before - 1000);
      const s = await songOf(forum, song.slug);
      assert.equal(s.commentCount, 1);
      assert.equal(s.lastCommentAt, c.createdAt);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0], { comment: { ...c, songSlug: song.slug }, songSlug: song.slug });
    });

    it('stores comment text as written, never as HTML', async () => {
      const text = '<script>alert(1)</script> & "quotes" \u{1F3B5}';
      const c = await post(alice.agent, song.slug, { body: text });
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '1' });
      assert.equal(page.items[0].id, c.id);
      assert.equal(page.items[0].body, text);
    });

    it('refuses readers without a session when guest posting is off (401) and stores nothing', async () => {
      const res = await forum.agent().post(`/api/songs/${song.slug}/comments`).send({ body: 'hi', author: { name: 'Guest' } }).expect(401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
      assert.equal((await songOf(forum, song.slug)).commentCount, 2);
    });

    it('answers a repeat of the same clientId from the same poster with 200 and the same comment', async () => {
      const first = await post(bob.agent, song.slug, { body: 'once only', clientId: 'c-123' }, 201);
      const again = await post(bob.agent, song.slug, { body: 'once only', clientId: 'c-123' }, 200);
      assert.deepEqual(again, first);
      assert.equal(first.clientId, 'c-123');
      assert.equal((await songOf(forum, song.slug)).commentCount, 3);
      // Another member's clientId is theirs alone; the same clientId in another thread is another post.
      const alices = await post(alice.agent, song.slug, { body: 'mine', clientId: 'c-123' }, 201);
      assert.notEqual(alices.id, first.id);
      const elsewhere = await post(bob.agent, other.slug, { body: 'other thread', clientId: 'c-123' }, 201);
      assert.notEqual(elsewhere.id, first.id);
      assert.equal((await songOf(forum, song.slug)).commentCount, 4);
    });

    it('stores concurrent repeats of one clientId once', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => bob.agent.post(`/api/songs/${other.slug}/comments`).send({ body: 'race', clientId: 'race-1' })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 201]);
      assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
      assert.equal((await songOf(forum, other.slug)).commentCount, 2);
    });

    it('stores replies to any depth with their parent and counts them on the parent', async () => {
      const root = await post(alice.agent, song.slug, { body: 'root' });
      const reply = await post(bob.agent, song.slug, { body: 'reply', parentId: root.id });
      const deeper = await post(alice.agent, song.slug, { body: 'deeper', parentId: reply.id });
      assert.equal(reply.parentId, root.id);
      assert.equal(deeper.parentId, reply.id);
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '3' });
      const byId = new Map(page.items.map((c) => [c.id, c]));
      assert.equal(byId.get(root.id)!.replyCount, 1);
      assert.equal(byId.get(reply.id)!.replyCount, 1);
      assert.equal(byId.get(deeper.id)!.replyCount, 0);
    });

    it('counts concurrent posts and replies exactly', async () => {
      const root = await post(alice.agent, song.slug, { body: 'busy root' });
      const count = (await songOf(forum, song.slug)).commentCount;
      await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? alice.agent : bob.agent, song.slug, { body: `burst ${i}`, parentId: root.id })));
      assert.equal((await songOf(forum, song.slug)).commentCount, count + 12);
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '13' });
      assert.equal(page.items.find((c) => c.id === root.id)!.replyCount, 12);
    });

    it('refuses a parent from another song, an unknown parent and a malformed one (400), storing nothing', async () => {
      const foreign = await post(bob.agent, other.slug, { body: 'over there' });
      const count = (await songOf(forum, song.slug)).commentCount;
      const a = await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'x', parentId: foreign.id }).expect(400);
      assert.equal(a.body.error.code, 'INVALID_PARENT');
      const b = await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'x', parentId: 'a'.repeat(24) }).expect(400);
      assert.equal(b.body.error.code, 'INVALID_PARENT');
      const c = await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'x', parentId: 'nope' }).expect(400);
      assert.equal(c.body.error.code, 'VALIDATION');
      assert.equal((await songOf(forum, song.slug)).commentCount, count);
    });

    it('rejects bad comment input with 400 VALIDATION and stores nothing', async () => {
      const count = (await songOf(forum, song.slug)).commentCount;
      for (const body of [
        {},
        { body: '' },
        { body: '   \n ' },
        // Nothing a reader could see: a zero-width space, a BOM and a bidi mark among spaces.
        { body: '  \u200b \ufeff\u200e  ' },
        { body: 'x'.repeat(5001) },
        { body: { $gt: '' } },
        { body: ['a'] },
        { body: 'ok', extra: true },
        { body: 'ok', clientId: { $ne: null } },
        { body: 'ok', clientId: 'has space' },
        { body: 'ok', author: { name: 'Members do not pick names' } },
      ]) {
        const res = await alice.agent.post(`/api/songs/${song.slug}/comments`).send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'VALIDATION');
      }
      assert.equal((await songOf(forum, song.slug)).commentCount, count);
      // An emoji alone is something to read.
      assert.equal((await post(alice.agent, song.slug, { body: '\u{1F3B8}' })).body, '\u{1F3B8}');
      const max = await post(alice.agent, song.slug, { body: 'y'.repeat(5000) });
      assert.equal(max.body.length, 5000);
    });

    it('answers 404 for a thread that does not exist', async () => {
      const a = await alice.agent.post('/api/songs/no-such-song/comments').send({ body: 'hi' }).expect(404);
      assert.equal(a.body.error.code, 'NOT_FOUND');
      const b = await forum.agent().get('/api/songs/no-such-song/comments').expect(404);
      assert.equal(b.body.error.code, 'NOT_FOUND');
    });
  });


  describe('editing and removal', () => {
    let mine: CommentDTO;
    before(async () => (mine = await post(alice.agent, song.slug, { body: 'original' })));

    it('lets the author edit within the window (200, editedAt set) and announces it', async () => {
      const events: unknown[] = [];
      const listener = (e: unknown) => events.push(e);
      forum.deps.bus.on('comment.updated', listener);
      const res = await alice.agent.patch(`/api/comments/${mine.id}`).send({ body: ' edited ' }).expect(200);
      forum.deps.bus.off('comment.updated', listener);
      assert.equal(res.body.body, 'edited');
      assert.ok(res.body.editedAt);
      assert.equal(res.body.createdAt, mine.createdAt);
      assert.equal(events.length, 1);
    });

    it('refuses other members (403) and readers without a session (401)', async () => {
      assert.equal((await bob.agent.patch(`/api/comments/${mine.id}`).send({ body: 'hijack' }).expect(403)).body.error.code, 'FORBIDDEN');
      assert.equal((await forum.agent().patch(`/api/comments/${mine.id}`).send({ body: 'hijack' }).expect(401)).body.error.code, 'UNAUTHENTICATED');
      assert.equal((await bob.agent.delete(`/api/comments/${mine.id}`).expect(403)).body.error.code, 'FORBIDDEN');
      assert.equal((await forum.agent().delete(`/api/comments/${mine.id}`).expect(401)).body.error.code, 'UNAUTHENTICATED');
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '20' });
      assert.equal(page.items.find((c) => c.id === mine.id)!.body, 'edited');
    });

    it('lets a moderator edit any comment', async () => {
      const res = await mod.agent.patch(`/api/comments/${mine.id}`).send({ body: 'moderated' }).expect(200);
      assert.equal(res.body.body, 'moderated');
    });

    it('checks ids and bodies: 400 for a malformed id or body, 404 for an unknown comment', async () => {
      assert.equal((await alice.agent.patch('/api/comments/xyz').send({ body: 'a' }).expect(400)).body.error.code, 'VALIDATION');
      assert.equal((await alice.agent.patch(`/api/comments/${'0'.repeat(24)}`).send({ body: 'a' }).expect(404)).body.error.code, 'NOT_FOUND');
      assert.equal((await alice.agent.patch(`/api/comments/${mine.id}`).send({ body: '' }).expect(400)).body.error.code, 'VALIDATION');
      assert.equal((await alice.agent.patch(`/api/comments/${mine.id}`).send({ body: 'a', status: 'visible' }).expect(400)).body.error.code, 'VALIDATION');
      assert.equal((await alice.agent.delete('/api/comments/xyz').expect(400)).body.error.code, 'VALIDATION');
      assert.equal((await alice.agent.delete(`/api/comments/${'0'.repeat(24)}`).expect(404)).body.error.code, 'NOT_FOUND');
    });

    it('removes a comment as a placeholder: replies keep their parent, it no longer counts as visible', async () => {
      const parent = await post(alice.agent, song.slug, { body: 'to be removed' });
      const reply = await post(bob.agent, song.slug, { body: 'a reply', parentId: parent.id });
      const count = (await songOf(forum, song.slug)).commentCount;
      const events: unknown[] = [];
      const listener = (e: unknown) => events.push(e);
      forum.deps.bus.on('comment.removed', listener);
      await alice.agent.delete(`/api/comments/${parent.id}`).expect(204);
      forum.deps.bus.off('comment.removed', listener);
      assert.deepEqual(events, [{ id: parent.id, songId: song.id, removedBy: 'author' }]);
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '2' });
      const [r, p] = page.items;
      assert.equal(r.id, reply.id);
      assert.equal(r.parentId, parent.id);
      assert.equal(p.id, parent.id);
      assert.equal(p.status, 'removed');
      assert.equal(p.body, '');
      assert.equal(p.replyCount, 1);
      assert.equal(p.removedBy, 'author');
      assert.equal((await songOf(forum, song.slug)).commentCount, count - 1);
      assert.equal((await thread(forum, song.slug)).total, count - 1);
      // Removing again changes nothing; a removed comment cannot be edited, voted on or flagged.
      await alice.agent.delete(`/api/comments/${parent.id}`).expect(204);
      await bob.agent.delete(`/api/comments/${parent.id}`).expect(403);
      assert.equal((await alice.agent.patch(`/api/comments/${parent.id}`).send({ body: 'back' }).expect(403)).body.error.code, 'FORBIDDEN');
      await bob.agent.post(`/api/comments/${parent.id}/votes`).send({ value: 1 }).expect(403);
      await bob.agent.post(`/api/comments/${parent.id}/flags`).send({ reason: 'spam' }).expect(403);
      // A reply to the placeholder is still allowed: the conversation under it goes on.
      await post(bob.agent, song.slug, { body: 'still replying', parentId: parent.id }, 201);
    });

    it('lets a moderator remove anyone\'s comment', async () => {
      const c = await post(bob.agent, song.slug, { body: 'rude' });
      await mod.agent.delete(`/api/comments/${c.id}`).expect(204);
      const page = await thread(forum, song.slug, { sort: 'newest', limit: '1' });
      assert.equal(page.items[0].status, 'removed');
    });
  });

  describe('votes and flags', () => {
    let target: CommentDTO;
    before(async () => (target = await post(alice.agent, song.slug, { body: 'vote on me' })));

    it('keeps one vote per member and moves the score by the change', async () => {
      const events: unknown[] = [];
      const listener = (e: unknown) => events.push(e);
      forum.deps.bus.on('comment.voted', listener);
      const vote = async (who: SignedUp, value: number) => (await who.agent.post(`/api/comments/${target.id}/votes`).send({ value }).expect(200)).body;
      assert.deepEqual(await vote(bob, 1), { id: target.id, score: 1 });
      assert.deepEqual(await vote(bob, 1), { id: target.id, score: 1 });
      assert.deepEqual(await vote(mod, 1), { id: target.id, score: 2 });
      assert.deepEqual(await vote(bob, -1), { id: target.id, score: 0 });
      assert.deepEqual(await vote(bob, 0), { id: target.id, score: 1 });
      forum.deps.bus.off('comment.voted', listener);
      assert.deepEqual(events.at(-1), { id: target.id, songId: song.id, score: 1 });
      assert.equal(events.length, 4, 'a vote that changes nothing announces nothing');
    });

    it('counts concurrent votes of many members exactly', async () => {
      const c = await post(alice.agent, song.slug, { body: 'popular' });
      const voters = await Promise.all([1, 2, 3, 4, 5, 6].map(() => signUp(forum)));
      await Promise.all(voters.map((v) => v.agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(200)));
      const res = await voters[0].agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(200);
      assert.equal(res.body.score, 6);
    });

    it('refuses bad votes (400), readers (401) and unknown comments (404)', async () => {
      for (const body of [{ value: 2 }, { value: '1' }, {}, { value: 1, extra: 1 }]) {
        assert.equal((await bob.agent.post(`/api/comments/${target.id}/votes`).send(body).expect(400)).body.error.code, 'VALIDATION');
      }
      assert.equal((await forum.agent().post(`/api/comments/${target.id}/votes`).send({ value: 1 }).expect(401)).body.error.code, 'UNAUTHENTICATED');
      assert.equal((await bob.agent.post(`/api/comments/${'0'.repeat(24)}/votes`).send({ value: 1 }).expect(404)).body.error.code, 'NOT_FOUND');
      assert.equal((await bob.agent.post('/api/comments/123/votes').send({ value: 1 }).expect(400)).body.error.code, 'VALIDATION');
      const page = await thread(forum, song.slug, { sort: 'top', limit: '100' });
      assert.equal(page.items.find((c) => c.id === target.id)!.score, 1);
    });

    it('stores flags (202), one per member per comment', async () => {
      await bob.agent.post(`/api/comments/${target.id}/flags`).send({ reason: 'off topic' }).expect(202);
      await bob.agent.post(`/api/comments/${target.id}/flags`).send({ reason: 'really off topic' }).expect(202);
      await mod.agent.post(`/api/comments/${target.id}/flags`).send({ reason: 'spam' }).expect(202);
      const flags = await forum.deps.db.conn.collection('flags').find({ commentId: { $eq: new (await import('mongoose')).Types.ObjectId(target.id) } }).toArray();
      assert.deepEqual(flags.map((f) => f.reason).sort(), ['really off topic', 'spam']);
    });

    it('refuses bad flags (400), readers (401) and unknown comments (404)', async () => {
      for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }, { reason: 'ok', more: 1 }]) {
        assert.equal((await bob.agent.post(`/api/comments/${target.id}/flags`).send(body).expect(400)).body.error.code, 'VALIDATION');
      }
      assert.equal((await forum.agent().post(`/api/comments/${target.id}/flags`).send({ reason: 'x' }).expect(401)).body.error.code, 'UNAUTHENTICATED');
      assert.equal((await bob.agent.post(`/api/comments/${'0'.repeat(24)}/flags`).send({ reason: 'x' }).expect(404)).body.error.code, 'NOT_FOUND');
    });
  });
});

describe('comments API: a closed edit window', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ EDIT_WINDOW_MINUTES: '15', REGISTER_LIMIT_PER_HOUR: '1000' })));
  after(() => forum.close());

  it('refuses the author an edit once the window has closed, while a moderator still may', async () => {
    const admin = await signUp(forum, { role: 'admin' });
    const author = await signUp(forum);
    const mod = await signUp(forum, { role: 'moderator' });
    const s = await makeSong(admin, 'Closed Window');
    const c = await post(author.agent, s.slug, { body: 'typo' });
    const at = (minutes: number) => new Date(Date.parse(c.createdAt) + minutes * 60_000);
    // The window is 15 minutes from posting: the service is told the time instead of the test waiting for it.
    assert.equal((await editComment(forum.deps, author.user, c.id, { body: 'fixed in time' }, at(14.9))).body, 'fixed in time');
    await assert.rejects(editComment(forum.deps, author.user, c.id, { body: 'too late' }, at(15.1)), (err: unknown) => {
      const { error } = toErrorBody(err).body;
      // The author is told why in their own terms: the window, and how long it is.
      return error.code === 'FORBIDDEN' && /edit window has closed.*15 minutes/.test(error.message);
    });
    const stranger = await signUp(forum);
    await assert.rejects(editComment(forum.deps, stranger.user, c.id, { body: 'not mine' }, at(1)), (err: unknown) => toErrorBody(err).body.error.message === 'Only its author can edit a comment.');
    assert.equal((await editComment(forum.deps, mod.user, c.id, { body: 'fixed by a moderator' }, at(60 * 24))).body, 'fixed by a moderator');
    // Removal has no window.
    await author.agent.delete(`/api/comments/${c.id}`).expect(204);
  });
});

describe('comments API: repeats and the posting limit', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '2', REGISTER_LIMIT_PER_HOUR: '1000' })));
  after(() => forum.close());

  it('answers repeats of a stored post with it without spending the poster\'s limit, at once or after it was noted', async () => {
    const admin = await signUp(forum, { role: 'admin' });
    const member = await signUp(forum);
    const s = await makeSong(admin, 'Said Twice');
    // Retries sent while the post is still being stored (they race its record of the key), then one after it.
    const sent = await Promise.all([1, 2, 3].map(() => member.agent.post(`/api/songs/${s.slug}/comments`).send({ body: 'once', clientId: 'r-1' })));
    assert.deepEqual(sent.map((r) => r.status).sort(), [200, 200, 201], JSON.stringify(sent.map((r) => r.body)));
    const first = sent.find((r) => r.status === 201)!.body as CommentDTO;
    const later = await post(member.agent, s.slug, { body: 'once', clientId: 'r-1' }, 200);
    assert.deepEqual([...sent.map((r) => r.body.id), later.id], [first.id, first.id, first.id, first.id]);
    // Two a minute: the repeats took nothing, so one more new post fits and the one after it does not.
    await post(member.agent, s.slug, { body: 'twice', clientId: 'r-2' });
    const refused = await member.agent.post(`/api/songs/${s.slug}/comments`).send({ body: 'thrice', clientId: 'r-3' }).expect(429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    // Past the limit a repeat is still answered with its comment.
    assert.equal((await post(member.agent, s.slug, { body: 'once', clientId: 'r-1' }, 200)).id, first.id);
    assert.deepEqual((await thread(forum, s.slug)).items.map((c) => c.body), ['once', 'twice']);
    assert.equal((await songOf(forum, s.slug)).commentCount, 2);
  });
});

describe('comments API: guest posting on', () => {
  let forum: TestForum;
  let s: SongDTO;
  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true', POSTING_LIMIT_PER_MINUTE: '3', REGISTER_LIMIT_PER_HOUR: '1000' });
    const admin = await signUp(forum, { role: 'admin' });
    s = await makeSong(admin, 'Guest Book');
  });
  after(() => forum.close());

  it('lets a guest post with a name and location (201, no userId)', async () => {
    const c = await post(forum.agent(), s.slug, { body: 'hello from a guest', author: { name: ' Minh ', location: 'Vietnam' } });
    assert.deepEqual(c.author, { name: 'Minh', location: 'Vietnam', userId: null, guest: true });
    const c2 = await post(forum.agent(), s.slug, { body: 'no location', author: { name: 'Olivia' } });
    assert.equal(c2.author.location, null);
  });

  it('requires a guest name of 1-40 characters and a location of at most 60 (400)', async () => {
    for (const author of [undefined, { name: '' }, { name: 'x'.repeat(41) }, { name: 'ok', location: 'y'.repeat(61) }, { name: 'ok', userId: 'x' }]) {
      const res = await forum.agent().post(`/api/songs/${s.slug}/comments`).send({ body: 'hi', author }).expect(400);
      assert.equal(res.body.error.code, 'VALIDATION');
    }
    assert.equal((await forum.agent().get(`/api/songs/${s.slug}`).expect(200)).body.commentCount, 2);
  });

  it('rate limits guests per address (429 RATE_LIMITED), while repeats of a stored post still answer', async () => {
    const first = await post(forum.agent(), s.slug, { body: 'third', clientId: 'g-1', author: { name: 'G' } });
    const res = await forum.agent().post(`/api/songs/${s.slug}/comments`).send({ body: 'fourth', author: { name: 'G' } }).expect(429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.ok(res.headers['retry-after']);
    const again = await post(forum.agent(), s.slug, { body: 'third', clientId: 'g-1', author: { name: 'G' } }, 200);
    assert.equal(again.id, first.id);
    assert.equal((await forum.agent().get(`/api/songs/${s.slug}`).expect(200)).body.commentCount, 3);
  });

  it('does not let guests vote, flag, edit or remove (401)', async () => {
    const c = (await forum.agent().get(`/api/songs/${s.slug}/comments`).expect(200)).body.items[0] as CommentDTO;
    await forum.agent().post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(401);
    await forum.agent().post(`/api/comments/${c.id}/flags`).send({ reason: 'x' }).expect(401);
    await forum.agent().patch(`/api/comments/${c.id}`).send({ body: 'x' }).expect(401);
    await forum.agent().delete(`/api/comments/${c.id}`).expect(401);
  });
});

// Both thread stores, each run here against the embedded database: `embedded` (positions by _id, chosen on FerretDB)
// and `mongo` (the (songId, seq) index window, chosen on MongoDB; slow on FerretDB, not wrong). The same contract.
for (const store of ['embedded', 'mongo'] as const) {
  describe(`comments API: paging (${store} thread store)`, () => {
    let forum: TestForum;
    let admin: SignedUp;
    let alice: SignedUp;
    let bob: SignedUp;
    let mod: SignedUp;
    let song: SongDTO;
    let paged: SongDTO;
    const path = store;
    const posted: string[] = [];
    before(async () => {
      forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000', REGISTER_LIMIT_PER_HOUR: '1000' }, { threadStore: store });
      admin = await signUp(forum, { role: 'admin' });
      alice = await signUp(forum, { displayName: 'Alice A', location: 'Leeds' });
      bob = await signUp(forum);
      mod = await signUp(forum, { role: 'moderator' });
      song = await makeSong(admin, 'Main Thread');
      await post(alice.agent, song.slug, { body: 'a comment in another thread' });
      paged = await makeSong(admin, `Paged Thread ${path}`);
      for (let i = 0; i < 47; i++) posted.push((await post(i % 2 ? alice.agent : bob.agent, paged.slug, { body: `comment ${i}` })).id);
    });

    it('reads through the store asked for', () => assert.equal(forum.deps.threads.kind, store));

    it('pages 47 comments by 20, oldest first, with posts arriving between pages: no duplicates, no gaps', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: Record<string, string> = { limit: '20' };
        if (cursor) q.cursor = cursor;
        const page = await thread(forum, paged.slug, q);
        assert.ok(page.items.length <= 20);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
        pages++;
        // New comments arrive while the reader pages.
        if (pages <= 2) for (let i = 0; i < 3; i++) posted.push((await post(alice.agent, paged.slug, { body: `late ${pages}.${i}` })).id);
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual(seen, posted, 'every comment, in posting order');
      assert.equal(seen.length, 53);
      assert.equal(pages, 3);
    });

    it('pages newest first: later arrivals do not shift the pages already being read', async () => {
      const first = await thread(forum, paged.slug, { sort: 'newest', limit: '20' });
      const expected = [...posted].reverse();
      assert.deepEqual(first.items.map((c) => c.id), expected.slice(0, 20));
      const seen = first.items.map((c) => c.id);
      let cursor = first.nextCursor;
      while (cursor) {
        posted.push((await post(bob.agent, paged.slug, { body: 'arriving' })).id);
        const page = await thread(forum, paged.slug, { sort: 'newest', limit: '20', cursor });
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      }
      assert.deepEqual(seen, expected);
    });

    it('reports total = the visible comments of the thread (a removed one stays as an uncounted placeholder)', async () => {
      const page = await thread(forum, paged.slug, { limit: '5' });
      assert.equal(page.total, posted.length);
      assert.equal((await songOf(forum, paged.slug)).commentCount, posted.length);
      await alice.agent.delete(`/api/comments/${posted[1]}`).expect(204);
      const after = await thread(forum, paged.slug, { limit: '5' });
      assert.equal(after.total, posted.length - 1);
      assert.equal(after.items[1].status, 'removed');
      assert.equal((await songOf(forum, paged.slug)).commentCount, posted.length - 1);
    });

    it('sorts by top score, then oldest, paging without duplicates', async () => {
      await alice.agent.post(`/api/comments/${posted[10]}/votes`).send({ value: 1 }).expect(200);
      await admin.agent.post(`/api/comments/${posted[10]}/votes`).send({ value: 1 }).expect(200);
      await alice.agent.post(`/api/comments/${posted[20]}/votes`).send({ value: 1 }).expect(200);
      await alice.agent.post(`/api/comments/${posted[0]}/votes`).send({ value: -1 }).expect(200);
      const seen: CommentDTO[] = [];
      let cursor: string | null = null;
      do {
        const q: Record<string, string> = { sort: 'top', limit: '7' };
        if (cursor) q.cursor = cursor;
        const page = await thread(forum, paged.slug, q);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      // Every visible comment once; the removed one never ranks.
      assert.equal(seen.length, posted.length - 1);
      assert.equal(new Set(seen.map((c) => c.id)).size, posted.length - 1);
      assert.ok(!seen.some((c) => c.id === posted[1]));
      assert.deepEqual(seen.slice(0, 2).map((c) => [c.id, c.score]), [
        [posted[10], 2],
        [posted[20], 1],
      ]);
      assert.deepEqual([seen.at(-1)!.id, seen.at(-1)!.score], [posted[0], -1]);
    });

    it('moves a comment in the top order as soon as it is voted on, and lists a new comment at once', async () => {
      const ranked = await makeSong(admin, `Ranked Thread ${path}`);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await post(bob.agent, ranked.slug, { body: `ranked ${i}` })).id);
      const topOf = async () => (await thread(forum, ranked.slug, { sort: 'top', limit: '100' })).items.map((c) => [c.id, c.score]);
      assert.deepEqual(await topOf(), ids.map((id) => [id, 0]));
      for (const voter of [alice, mod]) await voter.agent.post(`/api/comments/${ids[3]}/votes`).send({ value: 1 }).expect(200);
      await alice.agent.post(`/api/comments/${ids[1]}/votes`).send({ value: -1 }).expect(200);
      const late = (await post(alice.agent, ranked.slug, { body: 'late arrival' })).id;
      assert.deepEqual(await topOf(), [
        [ids[3], 2],
        [ids[0], 0],
        [ids[2], 0],
        [ids[4], 0],
        [late, 0],
        [ids[1], -1],
      ]);
    });

    it('catches up with `after`: every visible comment created after it, oldest first', async () => {
      const from = posted.length - 6;
      await mod.agent.delete(`/api/comments/${posted[from + 2]}`).expect(204);
      const page = await thread(forum, paged.slug, { after: posted[from], limit: '100' });
      const expected = posted.slice(from + 1).filter((_, i) => i !== 1);
      assert.deepEqual(page.items.map((c) => c.id), expected);
      assert.equal(page.nextCursor, null);
      // In pages too.
      const p1 = await thread(forum, paged.slug, { after: posted[from], limit: '2' });
      const p2 = await thread(forum, paged.slug, { after: posted[from], limit: '2', cursor: p1.nextCursor! });
      assert.deepEqual([...p1.items, ...p2.items].map((c) => c.id), expected.slice(0, 4));
    });

    it('catches up with `after` and no `limit`: every comment past it in one answer, more than a page holds', async () => {
      const s = await makeSong(admin, 'Long Gap');
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await post(alice.agent, s.slug, { body: `gap ${i}` })).id);
      const all = await thread(forum, s.slug, { after: ids[2] });
      assert.deepEqual(all.items.map((c) => c.id), ids.slice(3));
      assert.equal(all.nextCursor, null);
      // A plain page keeps its default size.
      assert.equal((await thread(forum, s.slug)).items.length, 20);
    });

    it('finds visible comments past a long run of removed ones, in both directions', async () => {
      const s = await makeSong(admin, 'Mostly Removed');
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await post(alice.agent, s.slug, { body: `r${i}` })).id);
      for (const id of ids.slice(1, 28)) await alice.agent.delete(`/api/comments/${id}`).expect(204);
      const after = await thread(forum, s.slug, { after: ids[0], limit: '2' });
      assert.deepEqual(after.items.map((c) => c.id), [ids[28], ids[29]]);
      assert.equal(after.nextCursor, null);
      // Placeholders stay in the ordinary listing, newest first.
      const newest = await thread(forum, s.slug, { sort: 'newest', limit: '3' });
      assert.deepEqual(newest.items.map((c) => [c.id, c.status]), [
        [ids[29], 'visible'],
        [ids[28], 'visible'],
        [ids[27], 'removed'],
      ]);
      assert.equal(newest.total, 3);
    });

    if (store === 'embedded')
      it("reads past a song whose lastSeq trails its last comment (an update lost between instances), held comments between", async () => {
        const s = await makeSong(admin, 'Trailing Counter');
        const ids: string[] = [];
        for (let i = 0; i < 30; i++) ids.push((await post(bob.agent, s.slug, { body: `t${i}` })).id);
        // Positions 15-26 held (not listed), and the song's lastSeq left at 27 of 30, before anything reads the thread.
        const conn = forum.deps.db.conn;
        await commentModel(conn).updateMany({ _id: mongoose.trusted({ $in: ids.slice(14, 26).map((id) => new mongoose.Types.ObjectId(id)) }) }, { $set: { status: 'pending' } });
        await songModel(conn).updateOne({ _id: new mongoose.Types.ObjectId(s.id) }, { $set: { lastSeq: 27 } });
        const listed = [...ids.slice(0, 14), ...ids.slice(26)];
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: CommentPage = await thread(forum, s.slug, { limit: '10', ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor);
        assert.deepEqual(seen, listed, 'oldest first, page by page, to the last comment');
        assert.equal((await thread(forum, s.slug, { sort: 'newest', limit: '1' })).items[0].id, ids[29], 'newest first starts at the last comment');
        assert.deepEqual((await thread(forum, s.slug, { after: ids[13], limit: '10' })).items.map((c) => c.id), ids.slice(26), 'a catch-up finds the comments past it');
      });

    it('rejects bad thread queries with 400', async () => {
      const otherComment = (await thread(forum, song.slug, { limit: '1' })).items[0].id;
      for (const [q, code] of [
        ['sort=best', 'VALIDATION'],
        ['limit=0', 'VALIDATION'],
        ['limit=101', 'VALIDATION'],
        ['after=zzz', 'VALIDATION'],
        [`after=${otherComment}`, 'INVALID_AFTER'],
        ['cursor=not-a-cursor', 'INVALID_CURSOR'],
        // Forged cursors outside the thread, or not a position at all, must not send the server walking.
        [`sort=newest&cursor=${forged('newest', 1e300)}`, 'INVALID_CURSOR'],
        [`sort=newest&cursor=${forged('newest', 10_000_000)}`, 'INVALID_CURSOR'],
        [`cursor=${forged('oldest', -1e12)}`, 'INVALID_CURSOR'],
        [`cursor=${forged('oldest', 0.5)}`, 'INVALID_CURSOR'],
        ['sort=newest&sort=oldest', 'VALIDATION'],
      ]) {
        const res = await forum.agent().get(`/api/songs/${paged.slug}/comments?${q}`);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.error.code, code, q);
      }
      // A cursor of one ordering is refused by another.
      const newest = await thread(forum, paged.slug, { sort: 'newest', limit: '2' });
      const res = await forum.agent().get(`/api/songs/${paged.slug}/comments`).query({ sort: 'oldest', cursor: newest.nextCursor! }).expect(400);
      assert.equal(res.body.error.code, 'INVALID_CURSOR');
    });

    after(() => forum.close());
  });
}
