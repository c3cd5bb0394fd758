// Moderation through the API and sockets: roles against actions, the pipeline, transitions, counts, the live rules
// (a reader never receives a held or rejected comment; approval arrives once), flags, bans, the log and picks.
import assert from 'node:assert/strict';
import { io as ioClient } from 'socket.io-client';
import type { CommentDTO, CommentPage, QueuePage, SongDTO } from '../../shared/types';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, startTestForum, type TestForum, type TestSocket } from '../helpers/forum';

let n = 0;
const cid = () => `m-${Date.now()}-${n++}`;

function record<T = any>(socket: TestSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as any).on(event, (v: T) => seen.push(v));
  return seen;
}

describe('moderation', () => {
  let forum: TestForum;
  let admin: SignedUp;
  let mod: SignedUp;
  let alice: SignedUp;
  let bob: SignedUp;
  let carol: SignedUp;
  let dave: SignedUp;
  let song: SongDTO;

  const post = async (who: SignedUp, body: string, slug = song.slug, status = 201): Promise<CommentDTO> => {
    const res = await who.agent.post(`/api/songs/${slug}/comments`).send({ body });
    assert.equal(res.status, status, JSON.stringify(res.body));
    return res.body;
  };
  const thread = async (agent = forum.agent(), query: Record<string, string> = {}, slug = song.slug): Promise<CommentPage> =>
    (await agent.get(`/api/songs/${slug}/comments`).query(query).expect(200)).body;
  const count = async (slug = song.slug): Promise<number> => (await forum.agent().get(`/api/songs/${slug}`).expect(200)).body.commentCount;
  const act = (who: SignedUp, id: string, action: string, status = 200, reason?: string) =>
    who.agent.post(`/api/moderation/comments/${id}`).send({ action, ...(reason ? { reason } : {}) }).expect(status);
  const settings = (body: Record<string, unknown>) => admin.agent.patch('/api/admin/settings').send(body).expect(200);
  async function reader(cookie?: string, slug = song.slug): Promise<TestSocket> {
    const s = forum.socket({ cookie });
    await connected(s);
    assert.equal((await emitAck(s, 'thread:join', { slug })).ok, true);
    return s;
  }
  /** A visible post through the same room: every event sent before it has arrived once it has. */
  async function barrier(s: TestSocket): Promise<void> {
    const got = nextEvent<CommentDTO>(s, 'comment:created');
    const c = await post(admin, `barrier ${n++}`);
    assert.equal((await got).id, c.id);
  }

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000', GUEST_MIN_FILL_SECONDS: '0' });
    [admin, mod, alice, bob, carol, dave] = await Promise.all([
      signUp(forum, { role: 'admin' }),
      signUp(forum, { role: 'moderator' }),
      signUp(forum, { displayName: 'Alice' }),
      signUp(forum, { displayName: 'Bob' }),
      signUp(forum, { displayName: 'Carol' }),
      signUp(forum, { displayName: 'Dave' }),
    ]);
    song = (await admin.agent.post('/api/songs').send({ title: 'Moderated', artist: 'The Keepers' }).expect(201)).body;
  });
  after(() => forum.close());
  afterEach(() => settings({ premoderation: 'off', bannedWords: [], suspectWords: [], maxLinks: 3, flagThreshold: 3, guestPosting: false }));

  describe('roles against actions', () => {
    it('lets moderators and admins moderate, refuses members and readers 403 FORBIDDEN', async () => {
      const c = await post(alice, 'a comment to act on');
      const target = bob.user.id;
      const calls: [string, (a: SignedUp['agent']) => Promise<{ status: number; body: any }>, 'moderator' | 'admin'][] = [
        ['GET queue', (a) => a.get('/api/moderation/queue'), 'moderator'],
        ['POST comment action', (a) => a.post(`/api/moderation/comments/${c.id}`).send({ action: 'unfeature' }), 'moderator'],
        ['GET users', (a) => a.get('/api/moderation/users'), 'moderator'],
        ['POST user unban', (a) => a.post(`/api/moderation/users/${target}`).send({ action: 'unban', reason: 'test' }), 'moderator'],
        ['GET log', (a) => a.get('/api/moderation/log'), 'moderator'],
        ['GET settings', (a) => a.get('/api/admin/settings'), 'admin'],
        ['PATCH settings', (a) => a.patch('/api/admin/settings').send({ maxLinks: 3 }), 'admin'],
        ['POST set-role', (a) => a.post(`/api/moderation/users/${target}`).send({ action: 'set-role', role: 'member' }), 'admin'],
      ];
      for (const [name, call, least] of calls) {
        const asReader = await call(forum.agent());
        assert.equal(asReader.status, 403, `${name} as a reader`);
        assert.equal(asReader.body.error.code, 'FORBIDDEN');
        const asMember = await call(carol.agent);
        assert.equal(asMember.status, 403, `${name} as a member`);
        assert.equal(asMember.body.error.code, 'FORBIDDEN');
        assert.equal((await call(mod.agent)).status, least === 'moderator' ? 200 : 403, `${name} as a moderator`);
        assert.equal((await call(admin.agent)).status, 200, `${name} as an admin`);
      }
    });

    it('keeps members from voting on or flagging their own comments (403 FORBIDDEN)', async () => {
      const c = await post(alice, 'my own words');
      assert.equal((await alice.agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(403)).body.error.code, 'FORBIDDEN');
      assert.equal((await alice.agent.post(`/api/comments/${c.id}/flags`).send({ reason: 'me' }).expect(403)).body.error.code, 'FORBIDDEN');
      await bob.agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(200);
    });

    it('lets a moderator ban members but not admins or themselves, and only admins set roles', async () => {
      assert.equal((await mod.agent.post(`/api/moderation/users/${admin.user.id}`).send({ action: 'ban', reason: 'no' }).expect(403)).body.error.code, 'FORBIDDEN');
      await mod.agent.post(`/api/moderation/users/${mod.user.id}`).send({ action: 'ban', reason: 'no' }).expect(403);
      await mod.agent.post(`/api/moderation/users/${bob.user.id}`).send({ action: 'ban', reason: 'x', until: '2001-01-01T00:00:00Z' }).expect(400);
      await mod.agent.post(`/api/moderation/users/${bob.user.id}`).send({ action: 'ban' }).expect(400);
      const promoted = await admin.agent.post(`/api/moderation/users/${dave.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
      assert.equal(promoted.body.role, 'moderator');
      assert.equal((await dave.agent.get('/api/moderation/queue').expect(200)).body.counts.pending >= 0, true);
      await admin.agent.post(`/api/moderation/users/${dave.user.id}`).send({ action: 'set-role', role: 'member' }).expect(200);
      await dave.agent.get('/api/moderation/queue').expect(403);
    });
  });

  describe('the pipeline', () => {
    it('refuses a banned word 400 BANNED_WORDS, over HTTP and sockets, and stores nothing', async () => {
      await settings({ bannedWords: ['frak'] });
      const before = await count();
      const res = await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'What the FRÁK' }).expect(400);
      assert.equal(res.body.error.code, 'BANNED_WORDS');
      const s = await reader(alice.cookie);
      const ack = await emitAck(s, 'comment:post', { slug: song.slug, body: 'frak again', clientId: cid() });
      assert.equal(ack.ok, false);
      assert.equal(ack.error.code, 'BANNED_WORDS');
      assert.equal(await count(), before);
      assert.ok(!(await thread(alice.agent, { sort: 'newest' })).items.some((c) => /frak/i.test(c.body)));
      s.disconnect();
    });

    it('holds a comment with a suspect word: its author and moderators see it, readers never do, live or listed', async () => {
      await settings({ suspectWords: ['casino'] });
      const watcher = await reader();
      const authorSocket = await reader(alice.cookie);
      const modRoom = forum.socket({ cookie: mod.cookie });
      await connected(modRoom);
      const joined = await emitAck(modRoom, 'moderation:join', {});
      assert.equal(joined.ok, true);
      const pendingBefore = joined.counts.pending;
      const seen = record<CommentDTO>(watcher, 'comment:created');
      const mine = record<CommentDTO>(authorSocket, 'comment:created');
      const queued = nextEvent<any>(modRoom, 'queue:added');
      const before = await count();
      const held = await post(alice, 'Best casino in town');
      assert.equal(held.status, 'pending');
      assert.equal((await queued).id, held.id);
      await barrier(watcher);
      assert.ok(!seen.some((c) => c.id === held.id), 'a reader never receives a held comment');
      assert.deepEqual(mine.filter((c) => c.id === held.id).map((c) => c.status), ['pending']);
      // Counts and lists: readers never see it; its author sees it marked; moderators too.
      assert.equal(await count(), before + 1, 'only the barrier counts');
      const asReader = await thread(forum.agent(), { sort: 'newest' });
      assert.ok(!asReader.items.some((c) => c.id === held.id));
      assert.ok(!(await thread(bob.agent, { sort: 'newest' })).items.some((c) => c.id === held.id));
      assert.equal((await thread(alice.agent, { sort: 'newest' })).items.find((c) => c.id === held.id)?.status, 'pending');
      assert.ok((await thread(mod.agent, { sort: 'oldest', limit: '100' })).items.some((c) => c.id === held.id));
      assert.ok(!(await thread(forum.agent(), { sort: 'top', limit: '100' })).items.some((c) => c.id === held.id), 'held comments never rank in Top');
      const queue: QueuePage = (await mod.agent.get('/api/moderation/queue').expect(200)).body;
      const item = queue.items.find((i) => i.id === held.id)!;
      assert.deepEqual(item.heldFor, ['suspect words: casino']);
      assert.equal(item.song.slug, song.slug);
      assert.equal(item.authorHistory.visible >= 1, true);
      assert.equal(queue.counts.pending, pendingBefore + 1);
      // The queue by song: this song's tab has it, another song's has nothing of this one.
      const elsewhere: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Quiet Elsewhere', artist: 'The Keepers' }).expect(201)).body;
      const bySong: QueuePage = (await mod.agent.get('/api/moderation/queue').query({ song: song.slug }).expect(200)).body;
      assert.ok(bySong.items.some((i) => i.id === held.id));
      assert.ok(bySong.items.every((i) => i.song.slug === song.slug));
      assert.deepEqual((await mod.agent.get('/api/moderation/queue').query({ song: elsewhere.slug }).expect(200)).body.items, []);

      // Approval: readers receive it once, as a new comment; the count moves with it. Moderators' sockets see it
      // leave the queue, and the tabs' counts with it.
      const leftQueue = nextEvent<{ id: string }>(modRoom, 'queue:removed');
      const counted = nextEvent<{ pending: number }>(modRoom, 'queue:counts');
      const approved = await act(mod, held.id, 'approve', 200, 'fine after all');
      assert.equal(approved.body.status, 'visible');
      assert.deepEqual(await leftQueue, { id: held.id });
      assert.equal((await counted).pending, pendingBefore);
      await barrier(watcher);
      assert.deepEqual(seen.filter((c) => c.id === held.id).map((c) => c.status), ['visible']);
      assert.equal(await count(), before + 3);
      assert.ok((await thread(forum.agent(), { sort: 'newest' })).items.some((c) => c.id === held.id));
      assert.equal((await act(mod, held.id, 'approve', 409)).body.error.code, 'INVALID_TRANSITION');
      // The song page's menu (a plain form): approving comes back to the comment; rejecting to the thread, since the
      // comment is no longer in it.
      const viaMenu = (id: string, action: string) =>
        mod.agent.post(`/moderation/comments/${id}`).type('form').send({ action, next: `/songs/${song.slug}#c-${id}` }).expect(303);
      const judged = await post(alice, 'judged from the menu');
      assert.match((await viaMenu(judged.id, 'feature')).headers.location, new RegExp(`^/songs/${song.slug}\\?done=.*#c-${judged.id}$`));
      assert.equal((await viaMenu(judged.id, 'reject')).headers.location, `/songs/${song.slug}?done=Rejected.`);
      for (const s of [watcher, authorSocket, modRoom]) s.disconnect();
    });

    it("holds an author's edit as it would hold the post (suspect words, links, premoderation), and readers never see its text", async () => {
      await settings({ suspectWords: ['casino'], maxLinks: 1 });
      const c = await post(alice, 'an honest opinion');
      const watcher = await reader();
      const updates = record<CommentDTO>(watcher, 'comment:updated');
      const removed = nextEvent<{ id: string }>(watcher, 'comment:removed');
      const before = await count();
      const edited = (await alice.agent.patch(`/api/comments/${c.id}`).send({ body: 'now visit my casino' }).expect(200)).body as CommentDTO;
      assert.deepEqual([edited.status, edited.body], ['pending', 'now visit my casino']);
      assert.equal((await removed).id, c.id);
      await barrier(watcher);
      assert.ok(!updates.some((u) => u.id === c.id), 'readers never get the held text');
      assert.ok(!(await thread(forum.agent(), { sort: 'newest', limit: '100' })).items.some((x) => x.id === c.id));
      assert.equal(await count(), before);
      const item = ((await mod.agent.get('/api/moderation/queue').expect(200)).body as QueuePage).items.find((i) => i.id === c.id)!;
      assert.deepEqual(item.heldFor, ['edited: suspect words: casino']);
      await act(mod, c.id, 'approve');
      assert.equal((await thread(forum.agent(), { sort: 'newest', limit: '100' })).items.find((x) => x.id === c.id)?.body, 'now visit my casino');
      // Too many links, by an edit: held the same way. A moderator's own edit of it is not held.
      const d = await post(bob, 'one link https://a.example');
      assert.equal((await bob.agent.patch(`/api/comments/${d.id}`).send({ body: 'https://a.example https://b.example' }).expect(200)).body.status, 'pending');
      const e = await post(bob, 'tidy me');
      assert.equal((await mod.agent.patch(`/api/comments/${e.id}`).send({ body: 'tidied: https://a.example https://b.example' }).expect(200)).body.status, 'visible');
      // Under premoderation "all" every edit waits for a moderator again.
      await settings({ premoderation: 'all', suspectWords: [], maxLinks: 3 });
      const approved = await post(carol, 'reviewed text');
      await act(mod, approved.id, 'approve');
      assert.equal((await carol.agent.patch(`/api/comments/${approved.id}`).send({ body: 'unreviewed text' }).expect(200)).body.status, 'pending');
      watcher.disconnect();
    });

    it('shows a held comment in its place among the visible ones, to its author and to moderators', async () => {
      await settings({ suspectWords: ['casino'] });
      const first = await post(bob, 'before the held one');
      const held = await post(alice, 'casino night, held in its place');
      const last = await post(bob, 'after the held one');
      assert.equal(held.status, 'pending');
      const mine = [first.id, held.id, last.id];
      const order = (page: CommentPage) => page.items.map((c) => c.id).filter((id) => mine.includes(id));
      assert.deepEqual(order(await thread(alice.agent, { sort: 'newest', limit: '100' })), [last.id, held.id, first.id]);
      assert.deepEqual(order(await thread(mod.agent, { sort: 'oldest', limit: '100' })), [first.id, held.id, last.id]);
      assert.deepEqual(order(await thread(bob.agent, { sort: 'oldest', limit: '100' })), [first.id, last.id], 'other members never see it');
    });

    it('holds every comment under premoderation "all", and guests and new members under "new"', async () => {
      await settings({ premoderation: 'all' });
      assert.equal((await post(alice, 'held anyway')).status, 'pending');
      await settings({ premoderation: 'new', guestPosting: true });
      const newcomer = await signUp(forum);
      assert.equal((await post(newcomer, 'my first')).status, 'pending');
      assert.equal((await post(alice, 'an old hand')).status, 'visible');
      const guest = await forum.agent().post(`/api/songs/${song.slug}/comments`).send({ body: 'hi from a guest', author: { name: 'Guest' } }).expect(201);
      assert.equal(guest.body.status, 'pending');
      // Three approvals make a member established.
      for (let i = 0; i < 3; i++) await act(mod, (await post(newcomer, `try ${i}`)).id, 'approve');
      assert.equal((await post(newcomer, 'now trusted')).status, 'visible');
    });

    it('holds more links than maxLinks', async () => {
      await settings({ maxLinks: 1 });
      assert.equal((await post(alice, 'https://a.example https://b.example')).status, 'pending');
      assert.equal((await post(alice, 'just https://a.example')).status, 'visible');
    });

    it('refuses guests whose page form has the honeypot filled (no-JavaScript form)', async () => {
      await settings({ guestPosting: true });
      const html = (await forum.agent().get(`/songs/${song.slug}`).expect(200)).text;
      const token = /name="formToken" value="([^"]+)"/.exec(html)![1];
      const bot = await forum.agent().post(`/songs/${song.slug}/comments`).type('form').send({ body: 'buy now', name: 'Bot', website: 'http://spam.example', formToken: token });
      assert.equal(bot.status, 400);
      assert.match(bot.text, /could not be accepted/);
      const forged = await forum.agent().post(`/songs/${song.slug}/comments`).type('form').send({ body: 'buy now', name: 'Bot', formToken: '1.AAAAAAAAAAAAAAAAAAAAAA' });
      assert.equal(forged.status, 400);
      await forum.agent().post(`/songs/${song.slug}/comments`).type('form').send({ body: 'a person', name: 'Person', website: '', formToken: token }).expect(303);
      // The reply page's form checks the same, and carries a clientId, so sending it twice replies once.
      const parent = await post(alice, 'reply to me, people');
      const replyUrl = `/songs/${song.slug}/c/${parent.id}/reply`;
      const page = (await forum.agent().get(replyUrl).expect(200)).text;
      const [replyToken, clientId] = [/name="formToken" value="([^"]+)"/.exec(page)?.[1], /name="clientId" value="([^"]+)"/.exec(page)?.[1]];
      assert.ok(replyToken && clientId, 'the reply form carries a render token and a clientId');
      for (const sent of [{ website: 'http://spam.example', formToken: replyToken }, { formToken: '1.AAAAAAAAAAAAAAAAAAAAAA' }, {}]) {
        const refused: { status: number; text: string } = await forum.agent().post(replyUrl).type('form').send({ body: 'buy now', name: 'Bot', clientId, ...sent });
        assert.equal(refused.status, 400, JSON.stringify(sent));
        assert.match(refused.text, /could not be accepted/);
      }
      const person = { body: 'a person replies', name: 'Persona', website: '', formToken: replyToken, clientId };
      await forum.agent().post(replyUrl).type('form').send(person).expect(303);
      await forum.agent().post(replyUrl).type('form').send(person).expect(303);
      const replies = (await thread(forum.agent(), { sort: 'newest' })).items.filter((x) => x.parentId === parent.id);
      assert.deepEqual(replies.map((x) => x.body), ['a person replies']);
      // Replying to a guest, the page says whom: a guest, not a member of that name.
      const toGuest = (await forum.agent().get(`/songs/${song.slug}/c/${replies[0].id}/reply`).expect(200)).text;
      assert.match(toGuest, /<title>Reply to Persona \(guest\)[^<]*<\/title>[\s\S]*<h1 id="page-title">Reply to Persona \(guest\)<\/h1>/);
    });

    it("guest posting as the admin sets it, not as the forum started: the reply page's guest fields and guests' typing", async () => {
      const c = await post(alice, 'reply to me');
      const replyPage = async () => (await forum.agent().get(`/songs/${song.slug}/c/${c.id}/reply`).expect(200)).text;
      const guest = await reader();
      const watcher = await reader();
      // Started with guest posting off (the default): no guest fields, and a guest's name shows nobody typing.
      assert.doesNotMatch(await replyPage(), /name="name"/);
      assert.equal((await emitAck(guest, 'typing', { slug: song.slug, name: 'Gus' })).error.code, 'UNAUTHENTICATED');
      await settings({ guestPosting: true });
      assert.match(await replyPage(), /name="name"/);
      const seen = nextEvent<{ name: string; guest?: boolean }>(watcher, 'typing');
      assert.equal((await emitAck(guest, 'typing', { slug: song.slug, name: 'Gus' })).ok, true);
      assert.deepEqual(await seen, { slug: song.slug, name: 'Gus', guest: true });
      // And the no-JavaScript reply form takes the guest's post.
      const formToken = /name="formToken" value="([^"]+)"/.exec(await replyPage())![1];
      await forum.agent().post(`/songs/${song.slug}/c/${c.id}/reply`).type('form').send({ body: 'a guest replies', name: 'Gus', formToken }).expect(303);
      assert.ok((await thread(forum.agent(), { sort: 'newest' })).items.some((x) => x.body === 'a guest replies' && x.author.name === 'Gus' && x.parentId === c.id));
      guest.disconnect();
      watcher.disconnect();
    });
  });

  describe('transitions, counts and the live rules', () => {
    it('keeps a rejected comment as judged: neither removed (409) nor rewritten by its author until restored', async () => {
      const c = await post(bob, 'rejected, then deleted?');
      await act(mod, c.id, 'reject', 200, 'no');
      for (const who of [bob, mod]) {
        const res = await who.agent.delete(`/api/comments/${c.id}`).expect(409);
        assert.equal(res.body.error.code, 'INVALID_TRANSITION');
      }
      assert.ok(!(await thread(forum.agent(), { sort: 'newest', limit: '100' })).items.some((x) => x.id === c.id), 'no placeholder for readers');
      assert.equal((await thread(bob.agent, { sort: 'newest', limit: '100' })).items.find((x) => x.id === c.id)?.status, 'rejected');
      // Nor does its author rewrite what the moderator judged (the Rejected tab shows that text).
      const rewrite = await bob.agent.patch(`/api/comments/${c.id}`).send({ body: 'rewritten after the fact' }).expect(403);
      assert.match(rewrite.body.error.message, /rejected cannot be edited/);
      await act(mod, c.id, 'restore');
      await bob.agent.delete(`/api/comments/${c.id}`).expect(204);
    });

    it('lets only the first of two moderators act on what they both saw; the other is told (409 CONFLICT), with and without script', async () => {
      await settings({ premoderation: 'all' });
      const c = await post(bob, 'two moderators, one comment');
      assert.equal(c.status, 'pending');
      const second = await signUp(forum, { role: 'moderator' });
      await mod.agent.post(`/api/moderation/comments/${c.id}`).send({ action: 'approve', from: 'pending' }).expect(200);
      // The other moderator's Reject, from the same queue page: the comment is no longer what they saw.
      const late = await second.agent.post(`/api/moderation/comments/${c.id}`).send({ action: 'reject', from: 'pending' }).expect(409);
      assert.deepEqual([late.body.error.code, late.body.error.message], ['CONFLICT', 'Another moderator got there first: this comment is visible now. Nothing was changed.']);
      assert.equal((await thread(forum.agent(), { sort: 'newest', limit: '100' })).items.find((x) => x.id === c.id)?.status, 'visible');
      const log = (await mod.agent.get('/api/moderation/log').expect(200)).body.items.filter((e: any) => e.target.id === c.id);
      assert.deepEqual(log.map((e: any) => e.action), ['comment.approve'], 'the refused action is not logged');
      // Without script: back to the queue, which says nothing was done; a song page's form comes back to the song.
      const queueForm = await second.agent.post(`/moderation/comments/${c.id}`).type('form').send({ action: 'reject', from: 'pending', next: '/moderation?status=pending' }).expect(303);
      assert.equal(queueForm.headers.location, '/moderation?status=pending&failed=CONFLICT');
      assert.match((await second.agent.get(queueForm.headers.location).expect(200)).text, /Another moderator got to that comment first: nothing was changed\./);
      const songForm = await second.agent.post(`/moderation/comments/${c.id}`).type('form').send({ action: 'approve', from: 'pending', next: `/songs/${song.slug}#c-${c.id}` }).expect(303);
      assert.equal(songForm.headers.location, `/songs/${song.slug}?failed=CONFLICT`);
      const songPage = (await second.agent.get(songForm.headers.location).expect(200)).text;
      assert.match(songPage, /data-role="mod-notice">Another moderator got to that comment first/);
      assert.doesNotMatch((await bob.agent.get(songForm.headers.location).expect(200)).text, /mod-notice/, 'only moderators are told');
      // What the moderator saw still holds: their action goes through, and the song page says what it did.
      const done = await second.agent.post(`/moderation/comments/${c.id}`).type('form').send({ action: 'feature', from: 'visible', next: `/songs/${song.slug}#c-${c.id}` }).expect(303);
      assert.match((await second.agent.get(done.headers.location.split('#')[0]).expect(200)).text, /data-role="mod-notice">Made an editor&#39;s pick\.|data-role="mod-notice">Made an editor's pick\./);
    });

    it('rejects a visible comment: readers are told to drop it, its author sees it rejected, counts move, restore brings it back', async () => {
      const c = await post(bob, 'rejectable');
      const watcher = await reader();
      const bobSocket = forum.socket({ cookie: bob.cookie });
      await connected(bobSocket);
      const removed = nextEvent<any>(watcher, 'comment:removed');
      const bobsCopy = nextEvent<CommentDTO>(bobSocket, 'comment:updated');
      const before = await count();
      await act(mod, c.id, 'reject', 200, 'off topic');
      // Gone for readers, no placeholder: as a reload shows the thread.
      assert.deepEqual(await removed, { id: c.id, songId: song.id, gone: true });
      assert.equal((await bobsCopy).status, 'rejected');
      assert.equal(await count(), before - 1);
      assert.ok(!(await thread(forum.agent(), { sort: 'newest' })).items.some((x) => x.id === c.id));
      assert.equal((await thread(bob.agent, { sort: 'newest' })).items.find((x) => x.id === c.id)?.status, 'rejected');
      const rejectedTab: QueuePage = (await mod.agent.get('/api/moderation/queue?status=rejected').expect(200)).body;
      assert.ok(rejectedTab.items.some((i) => i.id === c.id));
      for (const bad of ['approve', 'reject', 'feature', 'dismiss-flags']) assert.equal((await act(mod, c.id, bad, 409)).body.error.code, 'INVALID_TRANSITION', bad);
      const back = nextEvent<CommentDTO>(watcher, 'comment:created');
      await act(mod, c.id, 'restore');
      assert.equal((await back).id, c.id);
      assert.equal(await count(), before);
      await act(mod, c.id, 'restore', 409);
      watcher.disconnect();
      bobSocket.disconnect();
    });

    it('shows "removed by a moderator" and "edited by a moderator", and logs both', async () => {
      const edited = await post(bob, 'typo here');
      const byMod = await mod.agent.patch(`/api/comments/${edited.id}`).send({ body: 'typo fixed' }).expect(200);
      assert.equal(byMod.body.editedBy, 'moderator');
      const own = await post(bob, 'mine');
      assert.equal((await bob.agent.patch(`/api/comments/${own.id}`).send({ body: 'mine, edited' }).expect(200)).body.editedBy, 'author');
      const watcher = await reader();
      const placeholder = nextEvent<any>(watcher, 'comment:removed');
      await mod.agent.delete(`/api/comments/${edited.id}`).expect(204);
      // A removal leaves a placeholder: no `gone`.
      assert.deepEqual(await placeholder, { id: edited.id, songId: song.id, removedBy: 'moderator' });
      watcher.disconnect();
      const listed = (await thread(forum.agent(), { sort: 'newest', limit: '50' })).items.find((x) => x.id === edited.id)!;
      assert.deepEqual([listed.status, listed.removedBy, listed.body], ['removed', 'moderator', '']);
      await mod.agent.post(`/api/moderation/comments/${edited.id}`).send({ action: 'restore', reason: 'my mistake' }).expect(200);
      const log = (await mod.agent.get('/api/moderation/log').expect(200)).body;
      const mine = log.items.filter((e: any) => e.target.id === edited.id).map((e: any) => [e.action, e.moderator.username, e.reason]);
      assert.deepEqual(mine, [
        ['comment.restore', mod.user.username, 'my mistake'],
        ['comment.remove', mod.user.username, null],
        ['comment.edit', mod.user.username, null],
      ]);
      assert.ok(Date.parse(log.items[0].at) > 0);
      // The log names what was acted on, and where it is now.
      assert.deepEqual(log.items[0].target, {
        kind: 'comment',
        id: edited.id,
        label: `${bob.user.displayName}'s comment on ${song.title}`,
        url: `/songs/${song.slug}/c/${edited.id}#c-${edited.id}`,
      });
      const page = (await mod.agent.get('/moderation/log').expect(200)).text;
      assert.ok(page.includes(`<td data-action="comment.restore">Restored</td>`));
      assert.ok(page.includes(`<a href="/songs/${song.slug}/c/${edited.id}#c-${edited.id}">${bob.user.displayName}'s comment on ${song.title}</a>`), 'linked by name');
    });

    it('holds a comment flagged by flagThreshold members: readers lose it at once, the Flagged tab first', async () => {
      await settings({ flagThreshold: 2 });
      const c = await post(alice, 'controversial');
      const watcher = await reader();
      await bob.agent.post(`/api/comments/${c.id}/flags`).send({ reason: 'rude' }).expect(202);
      await bob.agent.post(`/api/comments/${c.id}/flags`).send({ reason: 'very rude' }).expect(202); // same member: still one
      let flagged: QueuePage = (await mod.agent.get('/api/moderation/queue?status=flagged').expect(200)).body;
      assert.deepEqual(flagged.items.find((i) => i.id === c.id)?.flags, { count: 1, reasons: [{ reason: 'very rude', count: 1 }] });
      const asMod = (await thread(mod.agent, { sort: 'newest' })).items.find((x) => x.id === c.id)!;
      assert.equal(asMod.flags?.count, 1);
      assert.equal((await thread(forum.agent(), { sort: 'newest' })).items.find((x) => x.id === c.id)!.flags, undefined, 'flags are for moderators');
      const removed = nextEvent<any>(watcher, 'comment:removed');
      const before = await count();
      await carol.agent.post(`/api/comments/${c.id}/flags`).send({ reason: 'spam' }).expect(202);
      assert.equal((await removed).id, c.id);
      assert.equal(await count(), before - 1);
      flagged = (await mod.agent.get('/api/moderation/queue?status=flagged').expect(200)).body;
      assert.ok(!flagged.items.some((i) => i.id === c.id));
      const pending: QueuePage = (await mod.agent.get('/api/moderation/queue?status=pending').expect(200)).body;
      assert.equal(pending.items.find((i) => i.id === c.id)?.flags.count, 2);
      // Approved: visible again, flags answered.
      await act(mod, c.id, 'approve');
      assert.equal(await count(), before);
      await dave.agent.post(`/api/comments/${c.id}/flags`).send({ reason: 'meh' }).expect(202);
      assert.equal((await thread(forum.agent(), { sort: 'newest' })).items.find((x) => x.id === c.id)?.status, 'visible');
      await act(mod, c.id, 'dismiss-flags');
      flagged = (await mod.agent.get('/api/moderation/queue?status=flagged').expect(200)).body;
      assert.ok(!flagged.items.some((i) => i.id === c.id));
      watcher.disconnect();
    });

    it('never ranks removed or rejected comments in Top', async () => {
      const s: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Ranked', artist: 'The Keepers' }).expect(201)).body;
      const a = await post(alice, 'loved', s.slug);
      const b = await post(alice, 'liked', s.slug);
      for (const v of [bob, carol, dave]) await v.agent.post(`/api/comments/${a.id}/votes`).send({ value: 1 }).expect(200);
      await bob.agent.post(`/api/comments/${b.id}/votes`).send({ value: 1 }).expect(200);
      await act(mod, a.id, 'reject');
      const top = await thread(forum.agent(), { sort: 'top' }, s.slug);
      assert.deepEqual(top.items.map((c) => c.id), [b.id]);
      assert.equal(top.total, 1);
      await alice.agent.delete(`/api/comments/${b.id}`).expect(204);
      assert.deepEqual((await thread(forum.agent(), { sort: 'top' }, s.slug)).items, []);
    });
  });

  describe('bans', () => {
    it('refuses a banned member\'s posts, votes and flags 403 BANNED over HTTP and sockets, tells their sockets, and removes their comments live', async () => {
      const victim = await signUp(forum, { displayName: 'Troll' });
      const c1 = await post(victim, 'troll one');
      const other = await post(alice, 'something to vote on');
      const theirs = await reader(victim.cookie);
      const watcher = await reader();
      const told = nextEvent<any>(theirs, 'account:banned');
      const removals = record<any>(watcher, 'comment:removed');
      const before = await count();
      const res = await mod.agent.post(`/api/moderation/users/${victim.user.id}`).send({ action: 'ban', reason: 'trolling', removeComments: true }).expect(200);
      assert.deepEqual(res.body.banned, { reason: 'trolling', until: null });
      assert.deepEqual(await told, { reason: 'trolling', until: null });
      // The same ban sent again (a double click) changes nothing and is not logged twice.
      await mod.agent.post(`/api/moderation/users/${victim.user.id}`).send({ action: 'ban', reason: 'trolling' }).expect(200);
      const bansLogged = async () => (await mod.agent.get('/api/moderation/log').expect(200)).body.items.filter((e: any) => e.target.id === victim.user.id).map((e: any) => e.action);
      assert.deepEqual(await bansLogged(), ['user.ban+remove-comments']);
      assert.equal((await victim.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'again' }).expect(403)).body.error.code, 'BANNED');
      assert.equal((await victim.agent.post(`/api/comments/${other.id}/votes`).send({ value: 1 }).expect(403)).body.error.code, 'BANNED');
      assert.equal((await victim.agent.post(`/api/comments/${other.id}/flags`).send({ reason: 'x' }).expect(403)).body.error.code, 'BANNED');
      const ack = await emitAck(theirs, 'comment:post', { slug: song.slug, body: 'from the socket', clientId: cid() });
      assert.deepEqual([ack.ok, ack.error?.code], [false, 'BANNED']);
      // Nor may they change the name and place every one of their comments shows; other settings' answers stand.
      for (const change of [{ displayName: 'Innocent' }, { location: 'Somewhere else' }]) {
        const refused = await victim.agent.patch('/api/auth/me').send(change).expect(403);
        assert.deepEqual([refused.body.error.code, refused.body.error.message], ['BANNED', 'Your account is banned: you can read, but no longer post, vote, report or change your name.']);
      }
      assert.equal((await victim.agent.patch('/api/auth/me').send({ displayName: 'Troll' }).expect(200)).body.displayName, 'Troll', 'the name it has is no change');
      assert.equal((await victim.agent.get('/api/auth/me').expect(200)).body.displayName, 'Troll');
      // Their song page carries the ban for its script (the notice shows from the start): as the app makes it, and
      // again as the page kept for members is answered before the app.
      const theirPage = () => victim.agent.get(`/songs/${song.slug}`).expect(200);
      for (let i = 0; i < 2; i++) assert.match((await theirPage()).text, /<script type="application\/json" id="viewer-data">[^<]*"ban":\{"reason":"trolling","until":null\}/);
      await barrier(watcher);
      assert.deepEqual(removals.map((r) => [r.id, r.removedBy]), [[c1.id, 'moderator']]);
      assert.equal(await count(), before);
      // They can still sign in and read.
      await forum.agent().post('/api/auth/login').send({ username: victim.user.username, password: victim.password }).expect(200);
      await victim.agent.get(`/api/songs/${song.slug}/comments`).expect(200);
      const users = (await mod.agent.get('/api/moderation/users').query({ q: victim.user.username }).expect(200)).body;
      // The members page says so when a search finds nobody.
      assert.match((await mod.agent.get('/moderation/users').query({ q: 'zz-nobody-zz' }).expect(200)).text, /No members match that search\./);
      assert.equal(users.items[0].banned.reason, 'trolling');
      const lifted = nextEvent(theirs, 'account:unbanned');
      await mod.agent.post(`/api/moderation/users/${victim.user.id}`).send({ action: 'unban', reason: 'served' }).expect(200);
      await lifted;
      assert.doesNotMatch((await theirPage()).text, /"ban":/);
      // Lifting a ban that is not there changes nothing, so nothing is logged.
      assert.equal((await mod.agent.post(`/api/moderation/users/${victim.user.id}`).send({ action: 'unban', reason: 'again' }).expect(200)).body.banned, null);
      await post(victim, 'reformed');
      const entries = (await mod.agent.get('/api/moderation/log').expect(200)).body.items.slice(0, 2);
      assert.deepEqual(entries.map((e: any) => e.action), ['user.unban', 'user.ban+remove-comments']);
      assert.deepEqual(entries[0].target, { kind: 'user', id: victim.user.id, label: `Troll (@${victim.user.username})`, url: `/users/${victim.user.username}` });
      assert.match((await mod.agent.get('/moderation/log').expect(200)).text, /<td data-action="user.ban\+remove-comments">Banned, removing their comments<\/td>/);
      theirs.disconnect();
      watcher.disconnect();
    });

    it('stops a moderator an admin has banned from moderating, editing or removing, until the ban is lifted', async () => {
      const rogue = await signUp(forum, { displayName: 'Rogue Mod', role: 'moderator' });
      const c = await post(alice, 'a comment the rogue wants gone');
      await admin.agent.post(`/api/moderation/users/${rogue.user.id}`).send({ action: 'ban', reason: 'abuse of the tools' }).expect(200);
      const refusals = [
        await rogue.agent.post(`/api/moderation/comments/${c.id}`).send({ action: 'reject' }),
        await rogue.agent.post(`/api/moderation/users/${carol.user.id}`).send({ action: 'ban', reason: 'spite' }),
        await rogue.agent.patch(`/api/comments/${c.id}`).send({ body: 'rewritten by the rogue' }),
        await rogue.agent.delete(`/api/comments/${c.id}`),
      ];
      assert.deepEqual(refusals.map((r) => [r.status, r.body.error?.code]), Array(4).fill([403, 'BANNED']));
      const still = (await thread(forum.agent(), { sort: 'newest', limit: '100' })).items.find((x) => x.id === c.id);
      assert.deepEqual([still?.status, still?.body], ['visible', 'a comment the rogue wants gone']);
      assert.equal((await mod.agent.get('/api/moderation/users').query({ q: carol.user.username }).expect(200)).body.items[0].banned, null);
      await admin.agent.post(`/api/moderation/users/${rogue.user.id}`).send({ action: 'unban', reason: 'second chance' }).expect(200);
      await act(rogue, c.id, 'feature');
    });

    it('bans until a date (to the end of that day, UTC) or a date and time, and the ban ends then', async () => {
      const member = await signUp(forum, { displayName: 'Timed' });
      const year = new Date().getUTCFullYear() + 1;
      const byDay = await mod.agent.post(`/api/moderation/users/${member.user.id}`).send({ action: 'ban', reason: 'cool off', until: `${year}-03-04` }).expect(200);
      assert.deepEqual(byDay.body.banned, { reason: 'cool off', until: `${year}-03-04T23:59:59.000Z` });
      const refused = await member.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'still here' }).expect(403);
      assert.equal(refused.body.error.code, 'BANNED');
      assert.match(refused.body.error.message, new RegExp(`until ${year}-03-04 23:59 UTC`));
      const byTime = await mod.agent.post(`/api/moderation/users/${member.user.id}`).send({ action: 'ban', reason: 'shorter', until: `${year}-01-02T08:30:00+02:00` }).expect(200);
      assert.equal(byTime.body.banned.until, `${year}-01-02T06:30:00.000Z`);
      // Said to the minute: a ban of a few hours does not read as "until today".
      assert.match((await member.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'still here' }).expect(403)).body.error.message, new RegExp(`until ${year}-01-02 06:30 UTC:`));
      // The moderation page's form (a date field) reads the same way.
      await mod.agent.post(`/moderation/users/${member.user.id}`).type('form').send({ action: 'ban', reason: 'by form', until: `${year}-05-06` }).expect(303);
      const listed = (await mod.agent.get('/api/moderation/users').query({ q: member.user.username }).expect(200)).body.items[0];
      assert.deepEqual(listed.banned, { reason: 'by form', until: `${year}-05-06T23:59:59.000Z` });
      const bad = await mod.agent.post(`/api/moderation/users/${member.user.id}`).send({ action: 'ban', reason: 'x', until: 'next week' }).expect(400);
      assert.equal(bad.body.error.code, 'VALIDATION');
      assert.match(bad.body.error.message, /until/);
      // A ban whose time has come is over: a moment from now, then the member posts again.
      const soon = new Date(Date.now() + 1500).toISOString();
      await mod.agent.post(`/api/moderation/users/${member.user.id}`).send({ action: 'ban', reason: 'a moment', until: soon }).expect(200);
      await member.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'not yet' }).expect(403);
      await new Promise((r) => setTimeout(r, 1600));
      await post(member, 'back again');
    });

    it('offers moderators no ban form for those they do not outrank, says why in words, and logs no role change that changes nothing', async () => {
      const page = (await mod.agent.get('/moderation/users').query({ q: admin.user.username }).expect(200)).text;
      const row = new RegExp(`<li class="user-row" data-user-id="${admin.user.id}">([\\s\\S]*?)</li>`).exec(page)![1];
      assert.doesNotMatch(row, /name="action" value="ban"/);
      assert.match(row, /· admin · \d+ visible comments?</);
      const refused = await mod.agent.post(`/api/moderation/users/${admin.user.id}`).send({ action: 'ban', reason: 'coup' }).expect(403);
      assert.equal(refused.body.error.message, 'A moderator cannot ban or unban an admin.');
      // An admin's page offers it; a member with one comment reads "1 visible comment".
      const one = await signUp(forum, { username: `one_${Date.now().toString(36)}` });
      await post(one, 'just the one');
      const adminsView = (await admin.agent.get('/moderation/users').query({ q: one.user.username }).expect(200)).text;
      assert.match(adminsView, /· member · 1 visible comment</);
      assert.match(adminsView, /name="action" value="ban"/);
      const logged = async () => (await mod.agent.get('/api/moderation/log').expect(200)).body.items[0].id;
      await admin.agent.post(`/api/moderation/users/${one.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
      const last = await logged();
      assert.equal((await admin.agent.post(`/api/moderation/users/${one.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200)).body.role, 'moderator');
      assert.equal(await logged(), last, 'the same role again logs nothing');
    });

    it('answers a refused ban from the page form with the members page, the error at that member and what was typed kept', async () => {
      const member = await signUp(forum, { username: `late_${Date.now().toString(36)}`, displayName: 'Latecomer' });
      const next = `/moderation/users?q=${member.user.username}`;
      const res = await mod.agent
        .post(`/moderation/users/${member.user.id}`)
        .type('form')
        .send({ action: 'ban', reason: 'spam links', until: '2001-02-03', removeComments: 'true', next })
        .expect(400);
      const row = /<li class="user-row" data-user-id="([0-9a-f]+)">([\s\S]*?)<\/li>/.exec(res.text);
      assert.equal(row?.[1], member.user.id, 'the member searched for is listed');
      assert.match(row![2], new RegExp(`<p class="form-error" role="alert" id="u-${member.user.id}-error">The ban's end must be in the future\\.</p>`));
      assert.match(row![2], /name="reason"[^>]*value="spam links"[^>]*aria-invalid="true"/);
      assert.match(row![2], /name="until" type="date" value="2001-02-03"/);
      assert.match(row![2], /name="removeComments" type="checkbox" value="true" checked/);
      // Nothing was stored: the member is not banned.
      assert.equal((await mod.agent.get('/api/moderation/users').query({ q: member.user.username }).expect(200)).body.items[0].banned, null);
      // A member not on the page the form came from: the error is at the top.
      const elsewhere = await mod.agent.post(`/moderation/users/${member.user.id}`).type('form').send({ action: 'ban', reason: '', next: '/moderation/users?q=zz-nobody-zz' }).expect(400);
      assert.match(elsewhere.text, /<p class="form-error" role="alert">The reason is required\.<\/p>/);
      // A field left out reads as one left empty, whatever its kind; an unknown action names the choices.
      const message = async (path: string, body: object) => (await mod.agent.post(path).send(body).expect(400)).body.error.message;
      assert.equal(await message(`/api/moderation/users/${member.user.id}`, {}), 'action: is required');
      assert.equal(await message(`/api/moderation/users/${member.user.id}`, { action: 'nuke' }), "action: must be one of 'ban', 'unban', 'set-role'");
      assert.equal(await message(`/api/moderation/users/${member.user.id}`, { action: 'ban' }), 'reason: is required');
      assert.equal(await message(`/api/moderation/comments/${member.user.id}`, {}), 'action: is required');
      assert.equal(await message(`/api/songs/${song.slug}/comments`, {}), 'body: is required');
    });
  });

  describe('picks', () => {
    it('features a comment: readers see the badge live, the thread\'s first page and /api/picks list it, newest first', async () => {
      const s: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Pickable', artist: 'The Editors' }).expect(201)).body;
      const a = await post(alice, 'insightful', s.slug);
      const b = await post(bob, 'also insightful', s.slug);
      const watcher = await reader(undefined, s.slug);
      const updated = nextEvent<CommentDTO>(watcher, 'comment:updated');
      await act(mod, a.id, 'feature');
      assert.equal((await updated).featured, true);
      await act(mod, b.id, 'feature');
      const first = await thread(forum.agent(), {}, s.slug);
      assert.deepEqual(first.picks?.map((c) => c.id), [b.id, a.id]);
      const picks = (await forum.agent().get('/api/picks').expect(200)).body;
      assert.deepEqual(picks.items.slice(0, 2).map((p: any) => [p.id, p.song.slug]), [[b.id, s.slug], [a.id, s.slug]]);
      const home = (await forum.agent().get('/').expect(200)).text;
      assert.match(home, /Editor&#39;s picks|Editor's picks/);
      assert.ok(home.includes('also insightful'));
      await act(mod, b.id, 'unfeature');
      assert.deepEqual((await thread(forum.agent(), {}, s.slug)).picks?.map((c) => c.id), [a.id]);
      // A rejected pick is no longer shown anywhere.
      await act(mod, a.id, 'reject');
      assert.deepEqual((await thread(forum.agent(), {}, s.slug)).picks, []);
      assert.equal((await act(mod, a.id, 'feature', 409)).body.error.code, 'INVALID_TRANSITION');
      watcher.disconnect();
    });
  });

  describe('settings', () => {
    it('answers the environment defaults, validates a change, and applies it at once on this instance', async () => {
      const got = (await admin.agent.get('/api/admin/settings').expect(200)).body;
      assert.deepEqual(Object.keys(got).sort(), ['bannedWords', 'flagThreshold', 'guestPosting', 'maxLinks', 'premoderation', 'suspectWords']);
      for (const bad of [{ premoderation: 'sometimes' }, { maxLinks: -1 }, { flagThreshold: 0 }, { bannedWords: 'x' }, { extra: 1 }]) {
        assert.equal((await admin.agent.patch('/api/admin/settings').send(bad).expect(400)).body.error.code, 'VALIDATION', JSON.stringify(bad));
      }
      const saved = (await settings({ bannedWords: ['zonk'] })).body;
      assert.deepEqual(saved.bannedWords, ['zonk']);
      assert.equal((await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'zonk' }).expect(400)).body.error.code, 'BANNED_WORDS');
      const log = (await mod.agent.get('/api/moderation/log').expect(200)).body.items[0];
      assert.deepEqual([log.action, log.target.kind, log.reason], ['settings.update', 'settings', 'changed banned words (1 added)']);
      // The page form sends every setting: the log names only those that changed, scalars as they were and are.
      const form = { premoderation: 'new', guestPosting: 'on', bannedWords: 'zonk', suspectWords: '', maxLinks: '3', flagThreshold: '3' };
      await admin.agent.post('/admin/settings').type('form').send(form).expect(303);
      const changed = (await mod.agent.get('/api/moderation/log').expect(200)).body.items[0];
      assert.equal(changed.reason, 'changed premoderation off → new; guest posting off → on');
      // Saved again as they are: nothing to log.
      await admin.agent.post('/admin/settings').type('form').send(form).expect(303);
      assert.equal((await mod.agent.get('/api/moderation/log').expect(200)).body.items[0].id, changed.id);
      // Words one per line, each once whatever its case; a phrase keeps its comma.
      await admin.agent.post('/admin/settings').type('form').send({ ...form, bannedWords: 'zonk\nZonk\nfree, now\n' }).expect(303);
      assert.deepEqual(forum.deps.settings.current().bannedWords, ['zonk', 'free, now']);
      // A value the form refuses: the page again with everything the admin sent, the error in words.
      const refused = await admin.agent.post('/admin/settings').type('form').send({ ...form, bannedWords: 'spam\neggs', flagThreshold: '0' }).expect(400);
      assert.match(refused.text, /Members&#39;? flags that hold a comment must be a whole number from 1 to 1000\.|Members' flags that hold a comment must be a whole number from 1 to 1000\./);
      assert.match(refused.text, /<textarea id="s-banned" name="bannedWords" rows="4">spam\neggs<\/textarea>/);
      assert.match(refused.text, /name="flagThreshold" type="number" min="1" max="1000" value="0"/);
      assert.deepEqual(forum.deps.settings.current().bannedWords, ['zonk', 'free, now']);
    });
  });

  it("sets a member's sockets up again when their role changes: a demoted moderator no longer hears the queue", async () => {
    const demoted = await signUp(forum, { displayName: 'Was A Moderator', role: 'moderator' });
    const s = ioClient(forum.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: demoted.cookie } }) as TestSocket;
    const other = forum.socket({ cookie: mod.cookie });
    const setRole = (role: string) => admin.agent.post(`/api/moderation/users/${demoted.user.id}`).send({ action: 'set-role', role }).expect(200);
    try {
      await Promise.all([connected(s), connected(other)]);
      for (const x of [s, other]) assert.equal((await emitAck(x, 'moderation:join', {})).ok, true);
      await settings({ suspectWords: ['casino'] });
      // A queue broadcast gives the socket an offset to recover its session from.
      const first = nextEvent(s, 'queue:added');
      await post(alice, 'casino, the first');
      await first;
      // Its network drops; meanwhile an admin takes the role away; its session is recovered, rooms and all, but
      // not the moderators' room.
      const id = s.id!;
      const dropped = nextEvent(s, 'disconnect');
      s.io.engine.close();
      await dropped;
      while (forum.io.of('/').sockets.has(id)) await new Promise((r) => setTimeout(r, 10));
      await setRole('member');
      const back = nextEvent(s, 'connect');
      s.connect();
      await back;
      assert.equal(s.recovered, true);
      const heard = record(s, 'queue:added');
      const seenByModerator = nextEvent(other, 'queue:added');
      await post(alice, 'casino, the second');
      await seenByModerator;
      // Answers come in order on one socket: a queue:added sent to it before this answer would be here by now.
      assert.equal((await emitAck(s, 'moderation:join', {})).error?.code, 'FORBIDDEN');
      assert.deepEqual(heard, []);
      // A role changed while connected closes the member's sockets; connected again, they act under the new one.
      const told = nextEvent<{ role: string }>(s, 'account:role-changed');
      const closed = nextEvent<string>(s, 'disconnect');
      await setRole('moderator');
      // Told first (the page says its tools changed), then closed, to connect again as what they are now.
      assert.deepEqual(await told, { role: 'moderator' });
      assert.equal(await closed, 'io server disconnect');
      const again = nextEvent(s, 'connect');
      s.connect();
      await again;
      assert.equal((await emitAck(s, 'moderation:join', {})).ok, true);
    } finally {
      s.disconnect();
      other.disconnect();
    }
  });

  it('refuses moderation:join to members and readers alike (403 FORBIDDEN)', async () => {
    for (const cookie of [alice.cookie, undefined]) {
      const s = forum.socket({ cookie });
      await connected(s);
      const reply = await emitAck(s, 'moderation:join', {});
      assert.deepEqual([reply.ok, reply.error?.code], [false, 'FORBIDDEN']);
      s.disconnect();
    }
  });
});
