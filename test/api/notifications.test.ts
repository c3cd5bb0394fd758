// v2 people: notifications for replies and @mentions, listed, marked read, and live on the member's own sockets
// on every instance; never for one's own comments, nor for comments readers cannot see.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CommentDTO, NotificationDTO, NotificationPage, SongDTO } from '../../shared/types';
import { publish } from '../../server/comments/publish';
import { refreshSearchKeys } from '../../server/songs/search-keys';
import { songModel } from '../../server/songs/model';
import { mentionedUsernames } from '../../server/notifications/mentions';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, nextEvent, startTestForum, type TestForum, closeTwoInstances, startTwoInstances } from '../helpers/forum';


async function post(agent: SignedUp['agent'], slug: string, body: Record<string, unknown>): Promise<CommentDTO> {
  const res = await agent.post(`/api/songs/${slug}/comments`).send(body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const list = async (m: SignedUp, query: Record<string, string> = {}): Promise<NotificationPage> => (await m.agent.get('/api/notifications').query(query).expect(200)).body;

/** Notifications are stored just after the post answers: wait until the member has `n`. */
async function listed(m: SignedUp, n: number): Promise<NotificationPage> {
  for (let i = 0; i < 100; i++) {
    const page = await list(m);
    if (page.items.length >= n) return page;
    await new Promise((r) => setTimeout(r, 20));
  }
  return list(m);
}

describe('notifications: replies and mentions, across two instances (Redis)', () => {
  let prefix: string;
  let a: TestForum;
  let b: TestForum;
  let ana: SignedUp;
  let ben: SignedUp;
  let cleo: SignedUp;
  let song: SongDTO;
  let admin: SignedUp;

  before(async () => {
    ({ a, b, prefix } = await startTwoInstances('notifications', { POSTING_LIMIT_PER_MINUTE: '1000', GUEST_POSTING: 'true' }));
    admin = await signUp(a, { role: 'admin' });
    ana = await signUp(a, { username: `ana_${randomBytes(3).toString('hex')}`, displayName: 'Ana' });
    ben = await signUp(a, { username: `ben_${randomBytes(3).toString('hex')}`, displayName: 'Ben' });
    cleo = await signUp(a, { username: `cleo_${randomBytes(3).toString('hex')}`, displayName: 'Cleo' });
    song = (await admin.agent.post('/api/songs').send({ title: 'The Chain', artist: 'Fleetwood Mac' }).expect(201)).body;
  });

  after(async () => {
    await closeTwoInstances(a, b, prefix);
  });

  it('tells a member live, on a socket of another instance, when someone replies to them, and lists it', async () => {
    const mine = await post(ana.agent, song.slug, { body: 'Listen to the wind blow' });
    const anaOnB = b.socket({ cookie: ana.cookie });
    const benOnB = b.socket({ cookie: ben.cookie });
    await Promise.all([connected(anaOnB), connected(benOnB)]);
    const benHeard: unknown[] = [];
    benOnB.on('notification', (n) => benHeard.push(n));
    const arrived = nextEvent<{ notification: NotificationDTO; unread: number }>(anaOnB, 'notification');
    const reply = await post(ben.agent, song.slug, { body: 'Watch the sun rise', parentId: mine.id });
    const { notification, unread } = await arrived;
    assert.equal(notification.kind, 'reply');
    assert.equal(notification.comment.id, reply.id);
    assert.equal(notification.comment.author.name, 'Ben');
    assert.deepEqual(notification.song, { slug: song.slug, title: 'The Chain', artist: 'Fleetwood Mac' });
    assert.equal(notification.read, false);
    assert.equal(unread, 1);
    const page = await listed(ana, 1);
    assert.deepEqual(page.items.map((n) => [n.kind, n.comment.id]), [['reply', reply.id]]);
    assert.equal(page.unread, 1);
    // Ben is told nothing about his own reply (barrier: a later notification of Ana's reaches Ana first).
    const barrier = nextEvent(anaOnB, 'notification');
    await post(ben.agent, song.slug, { body: 'again', parentId: mine.id });
    await barrier;
    assert.deepEqual(benHeard, []);
  });

  it('notifies @mentioned members once each, never the writer, and a reply that mentions its parent\'s author once', async () => {
    const before = (await list(cleo)).items.length;
    const c = await post(ben.agent, song.slug, { body: `@${cleo.user.username} and @${cleo.user.username.toUpperCase()}, and me @${ben.user.username}; mail x@${cleo.user.username}.com` });
    const page = await listed(cleo, before + 1);
    assert.deepEqual(page.items.filter((n) => n.comment.id === c.id).map((n) => n.kind), ['mention']);
    const benPage = await list(ben);
    assert.ok(!benPage.items.some((n) => n.comment.id === c.id), 'no notification for mentioning oneself');
    const root = await post(cleo.agent, song.slug, { body: 'Cleo asks' });
    const both = await post(ana.agent, song.slug, { body: `@${cleo.user.username} here is my answer`, parentId: root.id });
    const after = await listed(cleo, before + 2);
    assert.deepEqual(after.items.filter((n) => n.comment.id === both.id).map((n) => n.kind), ['reply']);
  });

  it('notifies for guests\' replies, and never for a comment readers cannot see; an approval notifies once', async () => {
    const root = await post(cleo.agent, song.slug, { body: 'Cleo again' });
    const start = (await list(cleo)).items.length;
    const guestReply = await post(a.agent(), song.slug, { body: 'A guest answers', parentId: root.id, author: { name: 'Wanderer' } });
    const unreadBefore = (await listed(cleo, start + 1)).unread;
    // A held comment announced as created (moderation's path) notifies nobody; its approval, announced again as
    // visible, notifies once, however often it is announced.
    const held = { ...guestReply, id: '0123456789abcdef01234567', status: 'pending' as const };
    await publish(a.deps, 'comment.created', { comment: held, songSlug: song.slug });
    const visible = { ...guestReply };
    await publish(a.deps, 'comment.created', { comment: visible, songSlug: song.slug });
    await publish(a.deps, 'comment.created', { comment: visible, songSlug: song.slug });
    const barrier = await post(ben.agent, song.slug, { body: 'barrier', parentId: root.id });
    const page = await listed(cleo, start + 2);
    assert.deepEqual(page.items.slice(0, 2).map((n) => n.comment.id), [barrier.id, guestReply.id]);
    assert.equal(page.unread, unreadBefore + 1, 'only the barrier added a notification');
  });

  it('notifies a member whom an edit mentions, once; a reply its edit had held counts again once approved', async () => {
    const c = await post(ben.agent, song.slug, { body: 'a plain thought' });
    const before = (await list(cleo)).items.length;
    await ben.agent.patch(`/api/comments/${c.id}`).send({ body: `a plain thought, @${cleo.user.username}` }).expect(200);
    const page = await listed(cleo, before + 1);
    assert.deepEqual(page.items.filter((n) => n.comment.id === c.id).map((n) => [n.kind, n.read]), [['mention', false]]);
    await ben.agent.patch(`/api/comments/${c.id}`).send({ body: `a plain thought, @${cleo.user.username}!` }).expect(200);
    const barrier = await post(ben.agent, song.slug, { body: `barrier @${cleo.user.username}` });
    const later = await listed(cleo, before + 2);
    assert.equal(later.items[0].comment.id, barrier.id);
    assert.equal(later.items.filter((n) => n.comment.id === c.id).length, 1, 'told once, however often it is edited');

    // A reply edited into held text leaves the bell; approved, it is back on it, unread.
    const root = await post(cleo.agent, song.slug, { body: 'Cleo waits for an answer' });
    const reply = await post(ben.agent, song.slug, { body: 'an answer', parentId: root.id });
    const unreadWith = (await listed(cleo, (await list(cleo)).items.length + 1)).unread;
    await admin.agent.patch('/api/admin/settings').send({ suspectWords: ['quokka'] }).expect(200);
    try {
      assert.equal((await ben.agent.patch(`/api/comments/${reply.id}`).send({ body: 'an answer about a quokka' }).expect(200)).body.status, 'pending');
      for (let i = 0; i < 100 && (await list(cleo)).unread !== unreadWith - 1; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await list(cleo)).unread, unreadWith - 1);
      await admin.agent.post(`/api/moderation/comments/${reply.id}`).send({ action: 'approve' }).expect(200);
      for (let i = 0; i < 100 && (await list(cleo)).unread !== unreadWith; i++) await new Promise((r) => setTimeout(r, 20));
      const back = await list(cleo);
      assert.equal(back.unread, unreadWith);
      assert.deepEqual(back.items.filter((n) => n.comment.id === reply.id).map((n) => [n.kind, n.read, n.comment.body]), [['reply', false, 'an answer about a quokka']]);
    } finally {
      await admin.agent.patch('/api/admin/settings').send({ suspectWords: [] }).expect(200);
    }
  });

  it('marks a notification read when it is opened from the list, and goes on to its comment', async () => {
    const root = await post(ana.agent, song.slug, { body: 'Ana opens her notes' });
    const reply = await post(cleo.agent, song.slug, { body: 'Cleo answers Ana', parentId: root.id });
    const page = await listed(ana, (await list(ana)).items.length + 1);
    const note = page.items.find((n) => n.comment.id === reply.id)!;
    assert.equal(note.read, false);
    const html = (await ana.agent.get('/notifications').expect(200)).text;
    assert.ok(html.includes(`<a href="/notifications/${note.id}">Read Cleo's reply in the discussion of The Chain</a>`));
    // Only its member opens it; a reader is sent to log in first.
    await ben.agent.get(`/notifications/${note.id}`).expect(404);
    assert.match((await a.agent().get(`/notifications/${note.id}`).expect(303)).headers.location, /^\/login\?next=/);
    const anaOnB = b.socket({ cookie: ana.cookie });
    await connected(anaOnB);
    const told = nextEvent<{ unread: number }>(anaOnB, 'notifications:unread');
    const opened = await ana.agent.get(`/notifications/${note.id}`).expect(303);
    assert.equal(opened.headers.location, `/songs/${song.slug}/c/${reply.id}#c-${reply.id}`);
    assert.deepEqual(await told, { unread: page.unread - 1 });
    const after = await list(ana);
    assert.equal(after.items.find((n) => n.id === note.id)?.read, true);
    assert.equal(after.unread, page.unread - 1);
    await ana.agent.get('/notifications/not-an-id').expect(404);
    anaOnB.disconnect();
  });

  it("takes a reply off the bell when it is removed, live on the member's sockets on another instance", async () => {
    const root = await post(cleo.agent, song.slug, { body: 'Take it off the bell' });
    const before = (await list(cleo)).unread;
    const reply = await post(ben.agent, song.slug, { body: 'a reply I will take back', parentId: root.id });
    const page = await listed(cleo, (await list(cleo)).items.length + 1);
    assert.ok(page.items.some((n) => n.comment.id === reply.id && !n.read));
    assert.equal(page.unread, before + 1);
    const cleoOnB = b.socket({ cookie: cleo.cookie });
    await connected(cleoOnB);
    const told = nextEvent<{ unread: number }>(cleoOnB, 'notifications:unread');
    await ben.agent.delete(`/api/comments/${reply.id}`).expect(204);
    assert.deepEqual(await told, { unread: before });
    const after = await list(cleo);
    assert.equal(after.unread, before);
    // Still listed (as removed), read.
    assert.equal(after.items.find((n) => n.comment.id === reply.id)?.read, true);
    cleoOnB.disconnect();
  });

  it('pages newest first and marks some or all read, telling the member\'s other sockets the count', async () => {
    const root = await post(ana.agent, song.slug, { body: 'Paging root' });
    for (let i = 0; i < 22; i++) await post(ben.agent, song.slug, { body: `reply ${i}`, parentId: root.id });
    // Notifications are made after each post's answer (on the bus): wait for the last reply's.
    let first = await listed(ana, 20);
    for (let i = 0; i < 250 && first.items[0]?.comment.body !== 'reply 21'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      first = await list(ana);
    }
    const total = first.unread;
    assert.ok(total >= 22);
    assert.equal(first.items[0].comment.body, 'reply 21');
    assert.ok(first.nextCursor);
    const second = await list(ana, { cursor: first.nextCursor! });
    assert.ok(!second.items.some((n) => first.items.some((f) => f.id === n.id)));

    const other = a.socket({ cookie: ana.cookie });
    await connected(other);
    const told = nextEvent<{ unread: number }>(other, 'notifications:unread');
    const some = (await ana.agent.post('/api/notifications/read').send({ ids: [first.items[0].id, first.items[1].id] }).expect(200)).body;
    assert.equal(some.unread, total - 2);
    assert.deepEqual(await told, { unread: total - 2 });
    const reread = await list(ana);
    assert.deepEqual(reread.items.slice(0, 3).map((n) => n.read), [true, true, false]);
    assert.equal((await ana.agent.post('/api/notifications/read').send({}).expect(200)).body.unread, 0);
    assert.equal((await list(ana)).unread, 0);
    await a.agent().get('/api/notifications').expect(401);
    await ana.agent.post('/api/notifications/read').send({ ids: ['nope'] }).expect(400);
    await ana.agent.post('/api/notifications/read').send({ all: true }).expect(400);
  });
});

describe('mentions in comment text', () => {
  const cases: [string, string[]][] = [
    ['@ana hello', ['ana']],
    ['hi @Ana_B, and @ana_b again', ['ana_b']],
    ['mail ana@example.com', []],
    ['@@ana', []],
    ['(@ben_1) and @cleo-', ['ben_1', 'cleo']],
    ['@ab is too short', []],
    [`@${'x'.repeat(31)} is too long`, []],
    [Array.from({ length: 12 }, (_, i) => `@user${i}`).join(' '), Array.from({ length: 10 }, (_, i) => `user${i}`)],
  ];
  for (const [body, want] of cases) it(`finds ${JSON.stringify(want)} in ${JSON.stringify(body.slice(0, 40))}`, () => assert.deepEqual(mentionedUsernames(body), want));
});

describe('search keys of songs stored before albums were searched', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum?.close());

  it('are recomputed once at start-up, so "Rumours" finds its songs', async () => {
    const now = new Date();
    await songModel(forum.deps.db.conn).create({ slug: 'fleetwood-mac-dreams', title: 'Dreams', artist: 'Fleetwood Mac', album: 'Rumours', searchKey: 'dreams fleetwood mac', activityAt: now, createdAt: now });
    await forum.deps.db.conn.collection('meta').deleteOne({ _id: 'songs.searchKey' as never });
    assert.deepEqual((await forum.agent().get('/api/songs').query({ q: 'Rumours' }).expect(200)).body.items, []);
    assert.equal(await refreshSearchKeys(forum.deps.db.conn), 1);
    assert.equal(await refreshSearchKeys(forum.deps.db.conn), 0, 'the second start skips the walk');
    const found = (await forum.agent().get('/api/songs').query({ q: 'Rumours' }).expect(200)).body.items as SongDTO[];
    assert.deepEqual(found.map((s) => s.slug), ['fleetwood-mac-dreams']);
  });
});
