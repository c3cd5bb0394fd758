// Live threads on one instance: rooms, socket posts, live edits/removals/votes, presence, typing, recovery.
import assert from 'node:assert/strict';
import { io as ioClient } from 'socket.io-client';
import type { CommentDTO } from '../../shared/types';
import { editComment, removeComment } from '../../server/comments/edit';
import { voteComment } from '../../server/comments/reactions';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, startTestForum, type TestForum, type TestSocket } from '../helpers/forum';
import { barrier, record, until } from '../helpers/live';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const cid = () => `c-${Date.now()}-${seq++}`;

describe('live threads (one instance)', () => {
  let forum: TestForum;
  let admin: SignedUp;
  let song: string;
  let other: string;

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '20' });
    admin = await signUp(forum, { role: 'admin' });
    song = (await createSong(forum.deps, admin.user, { title: 'Live Song', artist: 'The Testers' })).slug;
    other = (await createSong(forum.deps, admin.user, { title: 'Other Song', artist: 'The Testers' })).slug;
  });
  after(() => forum.close());

  async function reader(slug = song, cookie?: string): Promise<TestSocket> {
    const s = forum.socket({ cookie });
    await connected(s);
    const reply = await emitAck(s, 'thread:join', { slug });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    return s;
  }

  describe('joining and leaving', () => {
    it('joins an existing thread with the reader count, and leaves it', async () => {
      const s = forum.socket();
      await connected(s);
      const reply = await emitAck(s, 'thread:join', { slug: other });
      assert.deepEqual(reply, { ok: true, presence: 1 });
      assert.deepEqual(await emitAck(s, 'thread:leave', { slug: other }), { ok: true });
      s.disconnect();
    });

    it('refuses an unknown thread with NOT_FOUND and a bad payload with VALIDATION', async () => {
      const s = forum.socket();
      await connected(s);
      const missing = await emitAck(s, 'thread:join', { slug: 'no-such-song' });
      assert.equal(missing.ok, false);
      assert.equal(missing.error.code, 'NOT_FOUND');
      for (const bad of [{}, { slug: 42 }, { slug: 'Bad Slug!' }, { slug: song, extra: 1 }, null, 'text']) {
        const reply = await emitAck(s, 'thread:join', bad);
        assert.equal(reply.ok, false);
        assert.equal(reply.error.code, 'VALIDATION', JSON.stringify(bad));
        assert.equal(typeof reply.error.message, 'string');
      }
      s.disconnect();
    });

    it('survives events without an ack callback and keeps serving the socket', async () => {
      const s = forum.socket();
      await connected(s);
      (s as any).emit('thread:join', { slug: song });
      (s as any).emit('comment:post', { nonsense: true });
      (s as any).emit('typing');
      const reply = await emitAck(s, 'thread:join', { slug: song });
      assert.equal(reply.ok, true);
      s.disconnect();
    });

    it('limits how many threads a connection may follow and how often it may join', async () => {
      const s = forum.socket();
      await connected(s);
      const slugs = [];
      for (let i = 0; i < 21; i++) slugs.push((await createSong(forum.deps, admin.user, { title: `Many ${i}`, artist: 'The Joiners' })).slug);
      for (const slug of slugs.slice(0, 20)) assert.equal((await emitAck(s, 'thread:join', { slug })).ok, true);
      assert.equal((await emitAck(s, 'thread:join', { slug: slugs[20] })).error.code, 'TOO_MANY_THREADS');
      let reply;
      for (let i = 0; i < 45 && !reply?.error; i++) reply = await emitAck(s, 'thread:join', { slug: slugs[0] });
      assert.equal(reply.error.code, 'RATE_LIMITED');
      s.disconnect();
    });

    it('stops delivering a thread after leaving it', async () => {
      const member = await signUp(forum);
      const s = await reader(song);
      await emitAck(s, 'thread:leave', { slug: song });
      const got = record<CommentDTO>(s, 'comment:created');
      const poster = await reader(song, member.cookie);
      const reply = await emitAck(poster, 'comment:post', { slug: song, body: 'after the leave', clientId: cid() });
      assert.equal(reply.ok, true);
      // Back in the thread, the next comment arrives; the one posted while away would have come before it.
      assert.equal((await emitAck(s, 'thread:join', { slug: song })).ok, true);
      const later = await barrier(poster, song, [got]);
      assert.deepEqual(got.map((c) => c.id), [later.id]);
      s.disconnect();
      poster.disconnect();
    });
  });

  describe('posting over a socket', () => {
    it('delivers a comment once to every reader of the thread and to no reader of another', async () => {
      const member = await signUp(forum, { displayName: 'Poster Pat' });
      const [a, b, elsewhere] = [await reader(), await reader(), await reader(other)];
      const poster = await reader(song, member.cookie);
      const [gotA, gotB, gotElsewhere, gotPoster] = [a, b, elsewhere, poster].map((s) => record<CommentDTO>(s, 'comment:created'));

      const reply = await emitAck(poster, 'comment:post', { slug: song, body: '  What a <b>chorus</b>  ', clientId: cid() });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      assert.equal(reply.comment.body, 'What a <b>chorus</b>');
      assert.equal(reply.comment.author.name, 'Poster Pat');
      assert.equal(reply.comment.author.userId, member.user.id);

      // A duplicate, or a copy sent to the other thread, would arrive before the next comment of each thread.
      const [next, nextElsewhere] = [await barrier(poster, song, [gotA, gotB, gotPoster]), await barrier(poster, other, [gotElsewhere])];
      for (const got of [gotA, gotB, gotPoster]) {
        assert.deepEqual(got.map((c) => c.id), [reply.comment.id, next.id]);
        assert.equal(got[0].songSlug, song);
        assert.equal(got[0].body, 'What a <b>chorus</b>');
      }
      assert.deepEqual(gotElsewhere.map((c) => c.id), [nextElsewhere.id]);
      for (const s of [a, b, elsewhere, poster]) s.disconnect();
    });

    it('answers a reader without an account with UNAUTHENTICATED (guest posting off)', async () => {
      const s = await reader();
      const reply = await emitAck(s, 'comment:post', { slug: song, body: 'hello', clientId: cid(), author: { name: 'Guest' } });
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, 'UNAUTHENTICATED');
      s.disconnect();
    });

    it('answers bad posts with VALIDATION or NOT_FOUND, never a crash', async () => {
      const member = await signUp(forum);
      const s = await reader(song, member.cookie);
      const bad = [
        { slug: song, body: '   ', clientId: cid() },
        { slug: song, body: 'x'.repeat(5001), clientId: cid() },
        { slug: song, body: 'no client id' },
        { slug: song, body: 'hi', clientId: cid(), sneaky: { $gt: '' } },
        { slug: song, body: { $ne: 1 }, clientId: cid() },
      ];
      for (const payload of bad) {
        const reply = await emitAck(s, 'comment:post', payload);
        assert.equal(reply.ok, false);
        assert.equal(reply.error.code, 'VALIDATION', JSON.stringify(payload).slice(0, 80));
      }
      const missing = await emitAck(s, 'comment:post', { slug: 'no-such-song', body: 'hi', clientId: cid() });
      assert.equal(missing.error.code, 'NOT_FOUND');
      s.disconnect();
    });

    it("refuses a member's post that names an author exactly as HTTP does (400 VALIDATION), and stores nothing", async () => {
      const member = await signUp(forum, { displayName: 'Real Name' });
      const watcher = await reader();
      const got = record<CommentDTO>(watcher, 'comment:created');
      const s = await reader(song, member.cookie);
      const posing = { body: 'posing as someone else', author: { name: 'Someone Else', location: 'Elsewhere' } };
      const http = await member.agent.post(`/api/songs/${song}/comments`).send({ ...posing, clientId: cid() }).expect(400);
      const reply = await emitAck(s, 'comment:post', { slug: song, ...posing, clientId: cid() });
      assert.equal(reply.ok, false, JSON.stringify(reply));
      assert.equal(reply.error.code, 'VALIDATION');
      assert.deepEqual(reply.error, { code: http.body.error.code, message: http.body.error.message });
      // Barrier: the member's next post reaches the reader; a stored refused post would have reached it first.
      const next = await emitAck(s, 'comment:post', { slug: song, body: 'under my own name', clientId: cid() });
      assert.equal(next.ok, true, JSON.stringify(next));
      assert.equal(next.comment.author.name, 'Real Name');
      await until(() => got.length > 0);
      assert.deepEqual(got.map((c) => c.id), [next.comment.id]);
      const stored = (await forum.agent().get(`/api/songs/${song}/comments`).query({ sort: 'newest', limit: '100' }).expect(200)).body.items as CommentDTO[];
      assert.equal(stored.filter((c) => c.body === posing.body).length, 0);
      watcher.disconnect();
      s.disconnect();
    });

    it('gives the same comment for a repeated clientId and broadcasts it once', async () => {
      const member = await signUp(forum);
      const watcher = await reader();
      const got = record<CommentDTO>(watcher, 'comment:created');
      const s = await reader(song, member.cookie);
      const payload = { slug: song, body: 'only once please', clientId: cid() };
      const first = await emitAck(s, 'comment:post', payload);
      const again = await emitAck(s, 'comment:post', payload);
      assert.equal(first.ok, true);
      assert.equal(again.ok, true);
      assert.equal(again.comment.id, first.comment.id);
      const next = await barrier(s, song, [got]);
      assert.deepEqual(got.map((c) => c.id), [first.comment.id, next.id]);
      watcher.disconnect();
      s.disconnect();
    });

    it('shares the posting limit with HTTP and answers RATE_LIMITED in the ack', async () => {
      const member = await signUp(forum);
      const s = await reader(song, member.cookie);
      for (let i = 0; i < 18; i++) await member.agent.post(`/api/songs/${song}/comments`).send({ body: `http ${i}` }).expect(201);
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await emitAck(s, 'comment:post', { slug: song, body: `socket ${i}`, clientId: cid() }));
      assert.deepEqual(replies.slice(0, 2).map((r) => r.ok), [true, true]);
      assert.equal(replies[2].ok, false);
      assert.equal(replies[2].error.code, 'RATE_LIMITED');
      s.disconnect();
    });
  });

  it('keeps the order of posts sent at once from one connection', async () => {
    const member = await signUp(forum);
    const watcher = await reader();
    const got = record<CommentDTO>(watcher, 'comment:created');
    const s = await reader(song, member.cookie);
    const bodies = Array.from({ length: 20 }, (_, i) => `quick ${i}`);
    const replies = await Promise.all(bodies.map((body) => emitAck(s, 'comment:post', { slug: song, body, clientId: cid() })));
    assert.ok(replies.every((r) => r.ok));
    await until(() => got.length >= 20);
    assert.deepEqual(got.map((c) => c.body), bodies);
    watcher.disconnect();
    s.disconnect();
  });

  it("stores and announces a connection's next post while the last one's bookkeeping is still under way, in order", async () => {
    const member = await signUp(forum);
    const watcher = await reader();
    const got = record<CommentDTO>(watcher, 'comment:created');
    const s = await reader(song, member.cookie);
    // The moderation bookkeeping after the first post (its author's tally) waits until the second has been answered.
    const moderation = forum.deps.moderation as { noteNew: typeof forum.deps.moderation.noteNew };
    const noteNew = moderation.noteNew;
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    moderation.noteNew = async (c) => {
      if (c.body === 'first of two') await held;
      return noteNew(c);
    };
    try {
      const first = emitAck(s, 'comment:post', { slug: song, body: 'first of two', clientId: cid() });
      const second = await emitAck(s, 'comment:post', { slug: song, body: 'second of two', clientId: cid() });
      assert.equal(second.ok, true, JSON.stringify(second));
      await until(() => got.length >= 2);
      assert.deepEqual(got.map((c) => c.body), ['first of two', 'second of two']);
      release();
      assert.equal((await first).ok, true);
    } finally {
      moderation.noteNew = noteNew;
      release();
      watcher.disconnect();
      s.disconnect();
    }
  });

  describe('changes arrive live', () => {
    it('sends edits, votes and removals to the thread', async () => {
      const author = await signUp(forum);
      const voter = await signUp(forum);
      const watcher = await reader();
      const poster = await reader(song, author.cookie);
      const { comment } = await emitAck(poster, 'comment:post', { slug: song, body: 'first take', clientId: cid() });

      const updated = nextEvent<CommentDTO>(watcher, 'comment:updated');
      await editComment(forum.deps, author.user, comment.id, { body: 'second take' });
      const u = await updated;
      assert.equal(u.id, comment.id);
      assert.equal(u.body, 'second take');
      assert.ok(u.editedAt);

      const voted = nextEvent(watcher, 'comment:voted');
      await voteComment(forum.deps, voter.user, comment.id, 1);
      assert.deepEqual(await voted, { id: comment.id, score: 1 });

      const removed = nextEvent(watcher, 'comment:removed');
      await removeComment(forum.deps, author.user, comment.id);
      assert.deepEqual(await removed, { id: comment.id, songId: comment.songId, removedBy: 'author' });
      watcher.disconnect();
      poster.disconnect();
    });
  });

  describe('presence', () => {
    it('counts the readers of a thread as they come and go', async () => {
      const slug = (await createSong(forum.deps, admin.user, { title: 'Presence', artist: 'The Counters' })).slug;
      const a = forum.socket();
      await connected(a);
      assert.equal((await emitAck(a, 'thread:join', { slug })).presence, 1);
      const counts = record<{ slug: string; count: number }>(a, 'presence');
      const b = forum.socket();
      await connected(b);
      assert.equal((await emitAck(b, 'thread:join', { slug })).presence, 2);
      await until(() => counts.at(-1)?.count === 2);
      assert.deepEqual(counts.at(-1), { slug, count: 2 });
      b.disconnect();
      await until(() => counts.at(-1)?.count === 1);
      assert.deepEqual(counts.at(-1), { slug, count: 1 });
      a.disconnect();
    });
  });

  describe('typing', () => {
    it('shows a member typing to the others in the thread, not to themself, at most once per 2 s', async () => {
      const typist = await signUp(forum, { displayName: 'Tess Typist' });
      const t = await reader(song, typist.cookie);
      const r = await reader();
      const elsewhere = await reader(other);
      const [self, seen, far] = [t, r, elsewhere].map((s) => record(s, 'typing'));
      (t as any).emit('typing', { slug: song });
      await until(() => seen.length > 0);
      (t as any).emit('typing', { slug: song }); // within 2 s of the first: not passed on
      // The typist's next comments are handled after both notices: a second notice, or one sent to the typist or
      // to another thread, would arrive before them.
      await barrier(t, song, [record(r, 'comment:created'), record(t, 'comment:created')]);
      await barrier(t, other, [record(elsewhere, 'comment:created')]);
      assert.deepEqual(seen, [{ slug: song, name: 'Tess Typist' }]);
      assert.equal(self.length, 0);
      assert.equal(far.length, 0);
      t.disconnect();
      r.disconnect();
      elsewhere.disconnect();
    });

    it('refuses typing from a reader without a name, and from outside the thread', async () => {
      const s = await reader();
      const reply = await emitAck(s, 'typing', { slug: song });
      assert.equal(reply.error.code, 'UNAUTHENTICATED');
      const member = await signUp(forum);
      const m = forum.socket({ cookie: member.cookie });
      await connected(m);
      assert.equal((await emitAck(m, 'typing', { slug: song })).error.code, 'NOT_IN_THREAD');
      s.disconnect();
      m.disconnect();
    });
  });

  describe('no missed comment', () => {
    it('replays what a reader missed during a short drop (connection state recovery)', async () => {
      const member = await signUp(forum);
      const poster = await reader(song, member.cookie);
      const s = ioClient(forum.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 }) as TestSocket;
      try {
        await connected(s);
        const presence = nextEvent(s, 'presence');
        assert.equal((await emitAck(s, 'thread:join', { slug: song })).ok, true);
        await presence; // a broadcast carries the offset the client recovers from
        const got = record<CommentDTO>(s, 'comment:created');
        const dropped = nextEvent(s, 'disconnect');
        const id = s.id!;
        s.io.engine.close();
        await dropped;
        while (forum.io.of('/').sockets.has(id)) await sleep(10);
        const reply = await emitAck(poster, 'comment:post', { slug: song, body: 'while you were away', clientId: cid() });
        await nextEvent(s, 'connect');
        assert.equal(s.recovered, true);
        // The replay comes with the reconnection; a comment posted after it comes after the replay.
        const next = await barrier(poster, song, [got]);
        assert.deepEqual(got.map((c) => c.id), [reply.comment.id, next.id]);
      } finally {
        s.disconnect();
        poster.disconnect();
      }
    });

    it('fills a long gap with GET comments?after=LAST_ID, in order and without repeats', async () => {
      const member = await signUp(forum);
      const poster = await reader(song, member.cookie);
      const s = await reader();
      const first = nextEvent<CommentDTO>(s, 'comment:created');
      await emitAck(poster, 'comment:post', { slug: song, body: 'before the gap', clientId: cid() });
      const last = await first;
      s.disconnect(); // a long drop: the server forgets the session
      const missed = [];
      for (const body of ['gap one', 'gap two']) missed.push((await emitAck(poster, 'comment:post', { slug: song, body, clientId: cid() })).comment.id);
      const back = await reader();
      assert.equal(back.recovered, false);
      const res = await forum.agent().get(`/api/songs/${song}/comments`).query({ after: last.id }).expect(200);
      assert.deepEqual(res.body.items.map((c: CommentDTO) => c.id), missed);
      back.disconnect();
      poster.disconnect();
    });
  });
});

describe('live threads with guest posting on', () => {
  let forum: TestForum;
  let song: string;

  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true' });
    const admin = await signUp(forum, { role: 'admin' });
    song = (await createSong(forum.deps, admin.user, { title: 'Open Mic', artist: 'The Guests' })).slug;
  });
  after(() => forum.close());

  it('lets a guest post under the name they give, then shows that name when they type', async () => {
    const guest = forum.socket();
    const watcher = forum.socket();
    await Promise.all([connected(guest), connected(watcher)]);
    for (const s of [guest, watcher]) assert.equal((await emitAck(s, 'thread:join', { slug: song })).ok, true);
    const nameless = await emitAck(guest, 'comment:post', { slug: song, body: 'hi', clientId: cid() });
    assert.equal(nameless.error.code, 'VALIDATION');
    const created = nextEvent<CommentDTO>(watcher, 'comment:created');
    const reply = await emitAck(guest, 'comment:post', { slug: song, body: 'first time here', clientId: cid(), author: { name: 'Gus', location: 'Leeds' } });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    assert.deepEqual(reply.comment.author, { name: 'Gus', location: 'Leeds', userId: null, guest: true });
    assert.equal((await created).id, reply.comment.id);
    const typing = nextEvent(watcher, 'typing');
    (guest as any).emit('typing', { slug: song });
    assert.deepEqual(await typing, { slug: song, name: 'Gus', guest: true });
    guest.disconnect();
    watcher.disconnect();
  });
});

describe('live threads behind a proxy (TRUST_PROXY), guest posting on', () => {
  let forum: TestForum;
  let song: string;
  const sockets: TestSocket[] = [];
  /** A guest's socket, as the proxy forwards it from `address`. */
  const guestFrom = async (address: string) => {
    const s: TestSocket = ioClient(forum.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': address } });
    sockets.push(s);
    await connected(s);
    return s;
  };
  const post = (s: TestSocket, body: string) => emitAck(s, 'comment:post', { slug: song, body, clientId: cid(), author: { name: 'Proxied' } });

  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true', TRUST_PROXY: '1', POSTING_LIMIT_PER_MINUTE: '2' });
    const admin = await signUp(forum, { role: 'admin' });
    song = (await createSong(forum.deps, admin.user, { title: 'Behind Proxies', artist: 'The Forwarded' })).slug;
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await forum.close();
  });

  it("spends a guest's socket posts from the forwarded address, the same budget as their HTTP posts", async () => {
    const http = (address: string) =>
      forum.agent().post(`/api/songs/${song}/comments`).set('x-forwarded-for', address).send({ body: 'over HTTP', author: { name: 'Proxied' } });
    await http('198.51.100.7').expect(201);
    // Set up first, posting later: the address is the one the handshake came from, after the handshake is let go.
    const socket = await guestFrom('198.51.100.7');
    await emitAck(socket, 'thread:join', { slug: song });
    assert.equal((await post(socket, 'second, over the socket')).ok, true);
    const third = await post(socket, 'third in a minute');
    assert.equal(third.error?.code, 'RATE_LIMITED', JSON.stringify(third));
    // Another address behind the same proxy has its own budget.
    const other = await guestFrom('198.51.100.8');
    assert.equal((await post(other, 'from next door')).ok, true);
  });

  it('counts the IPv6 addresses of one /56 as one guest for the posting limit, as every other limit does', async () => {
    const http = (address: string) =>
      forum.agent().post(`/api/songs/${song}/comments`).set('x-forwarded-for', address).send({ body: `from ${address}`, author: { name: 'Sixer' } });
    await http('2001:db8:77:1::1').expect(201);
    await http('2001:db8:77:2::2').expect(201);
    // A third address of the same /56 (one host may hold a whole /64, or more) finds the budget spent.
    assert.equal((await http('2001:db8:77:3::3').expect(429)).body.error.code, 'RATE_LIMITED');
    // Another /56 has its own.
    await http('2001:db8:78::1').expect(201);
  });
});
