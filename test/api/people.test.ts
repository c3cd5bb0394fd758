// v2 people: profiles, settings (display name everywhere, password change ending other sessions), members' own
// marks kept apart from shared pages, replies in context, guests' edit secret, search over albums.
import assert from 'node:assert/strict';
import type { CommentDTO, CommentPage, ProfileComment, ProfileDTO, SongDTO, ViewerMarks } from '../../shared/types';
import { editComment } from '../../server/comments/edit';
import { signUp, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, startTestForum, type TestForum } from '../helpers/forum';

async function post(agent: SignedUp['agent'], slug: string, body: Record<string, unknown>, status = 201): Promise<CommentDTO> {
  const res = await agent.post(`/api/songs/${slug}/comments`).send(body);
  assert.equal(res.status, status, JSON.stringify(res.body));
  return res.body;
}

describe('people API: profiles and settings', () => {
  let forum: TestForum;
  let admin: SignedUp;
  let ana: SignedUp;
  let ben: SignedUp;
  let song: SongDTO;
  let other: SongDTO;

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000' });
    admin = await signUp(forum, { role: 'admin' });
    ana = await signUp(forum, { username: `ana_${Date.now().toString(36)}`, displayName: 'Ana', location: 'Lisbon' });
    ben = await signUp(forum, { displayName: 'Ben' });
    song = (await admin.agent.post('/api/songs').send({ title: 'Go Your Own Way', artist: 'Fleetwood Mac', album: 'Rumours', year: 1977 }).expect(201)).body;
    other = (await admin.agent.post('/api/songs').send({ title: 'Landslide', artist: 'Fleetwood Mac', album: 'Fleetwood Mac' }).expect(201)).body;
  });
  after(() => forum?.close());

  it('shows a member\'s profile and their visible comments with their songs, newest first, paged', async () => {
    const first = await post(ana.agent, song.slug, { body: 'Ana on Go Your Own Way' });
    await post(ana.agent, other.slug, { body: 'Ana on Landslide' });
    const removed = await post(ana.agent, other.slug, { body: 'Ana thinks again' });
    await ana.agent.delete(`/api/comments/${removed.id}`).expect(204);
    for (let i = 0; i < 21; i++) await post(ana.agent, song.slug, { body: `more from Ana ${i}` });

    const profile: ProfileDTO = (await forum.agent().get(`/api/users/${ana.user.username.toUpperCase()}`).expect(200)).body;
    assert.deepEqual([profile.username, profile.displayName, profile.location, profile.createdAt, profile.commentCount], [ana.user.username, 'Ana', 'Lisbon', ana.user.createdAt, 23]);
    assert.equal((profile as unknown as Record<string, unknown>).password, undefined);

    const page1 = (await forum.agent().get(`/api/users/${ana.user.username}/comments`).expect(200)).body as { items: ProfileComment[]; nextCursor: string };
    assert.equal(page1.items.length, 20);
    assert.equal(page1.items[0].body, 'more from Ana 20');
    assert.deepEqual(page1.items[0].song, { slug: song.slug, title: 'Go Your Own Way', artist: 'Fleetwood Mac' });
    const page2 = (await forum.agent().get(`/api/users/${ana.user.username}/comments`).query({ cursor: page1.nextCursor }).expect(200)).body as { items: ProfileComment[]; nextCursor: null };
    assert.deepEqual(page2.items.map((c) => c.body), ['more from Ana 0', 'Ana on Landslide', 'Ana on Go Your Own Way']);
    assert.equal(page2.items[2].id, first.id);
    assert.equal(page2.nextCursor, null);
    assert.ok(!page2.items.some((c) => c.id === removed.id), 'a removed comment is not on the profile');

    await forum.agent().get('/api/users/nobody_here').expect(404);
    await forum.agent().get(`/api/users/${ana.user.username}/comments`).query({ cursor: 'forged' }).expect(400);
  });

  it('renames every comment of a member when their display name changes, and tells live readers', async () => {
    const carl = await signUp(forum, { displayName: 'Carl' });
    const mine = await post(carl.agent, song.slug, { body: 'Carl was here' });
    await post(carl.agent, other.slug, { body: 'Carl was here too' });
    const reader = forum.socket();
    await connected(reader);
    await emitAck(reader, 'thread:join', { slug: song.slug });
    const told = nextEvent<{ songId: string; userId: string; name: string }>(reader, 'author:renamed');
    const me = (await carl.agent.patch('/api/auth/me').send({ displayName: 'Carla' }).expect(200)).body;
    assert.equal(me.displayName, 'Carla');
    assert.deepEqual(await told, { songId: song.id, userId: carl.user.id, name: 'Carla', location: null });
    const carls = async () => {
      const pages = await Promise.all([song, other].map(async (s) => (await forum.agent().get(`/api/songs/${s.slug}/comments`).query({ limit: 100 }).expect(200)).body as CommentPage));
      return pages.flatMap((p) => p.items.filter((c) => c.author.userId === carl.user.id));
    };
    assert.deepEqual((await carls()).map((c) => c.author.name), ['Carla', 'Carla']);
    assert.ok((await carls()).some((c) => c.id === mine.id));
    // A location is on every comment too: set, it shows there; cleared (for privacy, say), it is gone from them all.
    const placed = nextEvent<{ location: string | null }>(reader, 'author:renamed');
    await carl.agent.patch('/api/auth/me').send({ location: 'Porto' }).expect(200);
    assert.equal((await placed).location, 'Porto');
    assert.deepEqual((await carls()).map((c) => c.author.location), ['Porto', 'Porto']);
    const cleared = nextEvent<{ location: string | null }>(reader, 'author:renamed');
    await carl.agent.patch('/api/auth/me').send({ location: '' }).expect(200);
    assert.equal((await cleared).location, null);
    assert.deepEqual((await carls()).map((c) => c.author.location), [null, null]);
    assert.doesNotMatch((await forum.agent().get(`/songs/${song.slug}`).expect(200)).text, /from Porto/);
    reader.disconnect();
  });

  it('changes a password only with the current one, and ends every other session and its sockets', async () => {
    const dana = await signUp(forum, { displayName: 'Dana' });
    // A second device: its own session, its own socket.
    const phone = forum.agent();
    const login = await phone.post('/api/auth/login').send({ username: dana.user.username, password: TEST_PASSWORD }).expect(200);
    const phoneCookie = String(login.headers['set-cookie']).split(';')[0];
    const phoneSocket = forum.socket({ cookie: phoneCookie });
    const laptopSocket = forum.socket({ cookie: dana.cookie });
    await Promise.all([connected(phoneSocket), connected(laptopSocket)]);

    const wrong = await dana.agent.post('/api/auth/password').send({ currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const short = await dana.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'short' });
    assert.equal(short.status, 400);
    // The same policy as at registration: a common password is refused, saying why.
    const common = await dana.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'password12' });
    assert.equal(common.status, 400);
    assert.match(common.body.error.message, /^password: .*common/);
    await forum.agent().post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' }).expect(401);

    const told = nextEvent(phoneSocket, 'session:ended');
    const closed = nextEvent(phoneSocket, 'disconnect');
    let laptopTold = false;
    laptopSocket.on('session:ended', () => (laptopTold = true));
    await dana.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' }).expect(204);
    // The phone's page hears that its session ended (so it turns signed out), then its socket closes.
    await told;
    await closed;
    // A round trip on the laptop's socket after that: anything sent to it before would have arrived first.
    assert.equal((await emitAck(laptopSocket, 'thread:join', { slug: song.slug })).ok, true);
    assert.equal(laptopTold, false);
    await phone.get('/api/auth/me').expect(401);
    // The session that changed it stays signed in, and so does its socket.
    assert.equal((await dana.agent.get('/api/auth/me').expect(200)).body.id, dana.user.id);
    assert.equal(laptopSocket.connected, true);
    await forum.agent().post('/api/auth/login').send({ username: dana.user.username, password: TEST_PASSWORD }).expect(401);
    await forum.agent().post('/api/auth/login').send({ username: dana.user.username, password: 'a brand new passphrase' }).expect(200);
  });

  it('gives a member their own votes and reports for the comments in front of them, apart from the shared page', async () => {
    const a = await post(ben.agent, song.slug, { body: 'vote on me' });
    const b = await post(ben.agent, song.slug, { body: 'report me' });
    const c = await post(ben.agent, song.slug, { body: 'leave me be' });
    await ana.agent.post(`/api/comments/${a.id}/votes`).send({ value: 1 }).expect(200);
    await ana.agent.post(`/api/comments/${c.id}/votes`).send({ value: -1 }).expect(200);
    await ana.agent.post(`/api/comments/${c.id}/votes`).send({ value: 0 }).expect(200);
    await ana.agent.post(`/api/comments/${b.id}/flags`).send({ reason: 'spam' }).expect(202);
    const marks: ViewerMarks = (await ana.agent.get('/api/comments/mine').query({ ids: [a.id, b.id, c.id].join(',') }).expect(200)).body;
    assert.deepEqual(marks, { votes: { [a.id]: 1 }, flagged: [b.id] });
    const bens: ViewerMarks = (await ben.agent.get('/api/comments/mine').query({ ids: a.id }).expect(200)).body;
    assert.deepEqual(bens, { votes: {}, flagged: [] });
    await forum.agent().get('/api/comments/mine').query({ ids: a.id }).expect(401);
    await ana.agent.get('/api/comments/mine').query({ ids: 'x' }).expect(400);
    // The shared page is the same for everyone: no member's marks in it.
    const [anon, member] = await Promise.all([forum.agent(), ana.agent].map(async (ag) => (await ag.get(`/api/songs/${song.slug}/comments`).query({ sort: 'newest', limit: 5 }).expect(200)).body));
    assert.deepEqual(member, anon);
  });

  it('carries each reply\'s parent (who and how it began) in pages, live events and the replies list', async () => {
    const root = await post(ben.agent, other.slug, { body: 'Stevie wrote this in Aspen, looking at the mountains before deciding to stay with the band.' });
    const reader = forum.socket();
    await connected(reader);
    await emitAck(reader, 'thread:join', { slug: other.slug });
    const live = nextEvent<CommentDTO>(reader, 'comment:created');
    const reply = await post(ana.agent, other.slug, { body: 'Replying late', parentId: root.id });
    const context = { id: root.id, name: 'Ben', guest: false, excerpt: 'Stevie wrote this in Aspen, looking at the mountains before deciding to stay with the band.', removed: false };
    assert.deepEqual(reply.inReplyTo, context);
    assert.deepEqual((await live).inReplyTo, context);
    const newest: CommentPage = (await forum.agent().get(`/api/songs/${other.slug}/comments`).query({ sort: 'newest', limit: 1 }).expect(200)).body;
    assert.deepEqual(newest.items[0].inReplyTo, context);
    assert.equal((newest.items[0] as CommentDTO).guestToken, undefined);
    const replies: CommentPage = (await forum.agent().get(`/api/comments/${root.id}/replies`).expect(200)).body;
    assert.deepEqual(replies.items.map((c) => c.id), [reply.id]);
    assert.equal(replies.total, 1);
    await ben.agent.delete(`/api/comments/${root.id}`).expect(204);
    const after: CommentPage = (await forum.agent().get(`/api/songs/${other.slug}/comments`).query({ sort: 'newest', limit: 1 }).expect(200)).body;
    assert.deepEqual(after.items[0].inReplyTo, { ...context, excerpt: '', removed: true });
  });

  it('finds songs by their album', async () => {
    const found = (await forum.agent().get('/api/songs').query({ q: 'rumours' }).expect(200)).body.items as SongDTO[];
    assert.deepEqual(found.map((s) => s.slug), [song.slug]);
  });
});

describe('people API: guests edit and delete their own comment from the same browser', () => {
  let forum: TestForum;
  let song: SongDTO;

  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true', EDIT_WINDOW_MINUTES: '15' });
    const admin = await signUp(forum, { role: 'admin' });
    song = (await admin.agent.post('/api/songs').send({ title: 'Dreams', artist: 'Fleetwood Mac' }).expect(201)).body;
  });
  after(() => forum?.close());

  it('gives the poster alone a secret that edits and deletes the comment within the edit window', async () => {
    const reader = forum.socket();
    await connected(reader);
    await emitAck(reader, 'thread:join', { slug: song.slug });
    const live = nextEvent<CommentDTO>(reader, 'comment:created');
    const guest = forum.agent();
    const posted: CommentDTO = (await guest.post(`/api/songs/${song.slug}/comments`).send({ body: 'Thunder only happens', author: { name: 'Wanderer' }, clientId: 'g-1' }).expect(201)).body;
    assert.match(posted.guestToken ?? '', /^[\w-]{40,}$/);
    assert.equal((await live).guestToken, undefined, 'the secret is never announced');
    // A repeat of the same post gets the same comment but not the secret: its clientId is public (readers see it),
    // so anyone behind the guest's address could send it.
    const again: CommentDTO = (await guest.post(`/api/songs/${song.slug}/comments`).send({ body: 'Thunder only happens', author: { name: 'Wanderer' }, clientId: 'g-1' }).expect(200)).body;
    assert.equal(again.id, posted.id);
    assert.equal(again.guestToken, undefined);
    assert.equal((await live).clientId, 'g-1', 'the clientId readers see is the one a replay would send');
    const replayed: CommentDTO = (await forum.agent().post(`/api/songs/${song.slug}/comments`).send({ body: 'Thunder only happens', author: { name: 'Wanderer' }, clientId: 'g-1' }).expect(200)).body;
    assert.equal(replayed.guestToken, undefined);
    await forum.agent().delete(`/api/comments/${posted.id}`).set('X-Guest-Token', 'y'.repeat(43)).expect(403);
    const page: CommentPage = (await forum.agent().get(`/api/songs/${song.slug}/comments`).expect(200)).body;
    assert.equal(page.items[0].guestToken, undefined);

    await forum.agent().patch(`/api/comments/${posted.id}`).send({ body: 'hijacked' }).expect(401);
    await forum.agent().patch(`/api/comments/${posted.id}`).set('X-Guest-Token', 'x'.repeat(43)).send({ body: 'hijacked' }).expect(403);
    await forum.agent().patch(`/api/comments/${posted.id}`).set('X-Guest-Token', 'bad token!').send({ body: 'hijacked' }).expect(400);
    const edited = (await forum.agent().patch(`/api/comments/${posted.id}`).set('X-Guest-Token', posted.guestToken!).send({ body: 'when it is raining' }).expect(200)).body;
    assert.equal(edited.body, 'when it is raining');
    // Past the window the secret no longer edits.
    const later = new Date(Date.parse(posted.createdAt) + 16 * 60_000);
    await assert.rejects(editComment(forum.deps, null, posted.id, { body: 'too late' }, later, posted.guestToken), (err: Error) => err.message.includes('edit window'));
    // Another guest's secret does not open this comment.
    const other: CommentDTO = (await forum.agent().post(`/api/songs/${song.slug}/comments`).send({ body: 'Me too', author: { name: 'Other' } }).expect(201)).body;
    await forum.agent().delete(`/api/comments/${posted.id}`).set('X-Guest-Token', other.guestToken!).expect(403);
    await forum.agent().delete(`/api/comments/${posted.id}`).set('X-Guest-Token', posted.guestToken!).expect(204);
    const after: CommentPage = (await forum.agent().get(`/api/songs/${song.slug}/comments`).expect(200)).body;
    assert.equal(after.items.find((c) => c.id === posted.id)?.status, 'removed');
  });

  it('lets a guest show as typing under the name in their form', async () => {
    const typist = forum.socket();
    const reader = forum.socket();
    await Promise.all([connected(typist), connected(reader)]);
    await Promise.all([emitAck(typist, 'thread:join', { slug: song.slug }), emitAck(reader, 'thread:join', { slug: song.slug })]);
    const seen = nextEvent<{ slug: string; name: string }>(reader, 'typing');
    const ack = await emitAck(typist, 'typing', { slug: song.slug, name: 'Wanderer' });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    // Marked as a guest, so a guest typing under any name never passes for a member.
    assert.deepEqual(await seen, { slug: song.slug, name: 'Wanderer', guest: true });
  });
});
