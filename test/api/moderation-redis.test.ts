// Moderation across two instances on one database and one Redis: a settings change holds on the other instance
// within 2 s, a ban reaches the member's sockets there at once, and an approval made on one instance reaches
// readers on the other exactly once.
import assert from 'node:assert/strict';
import type { CommentDTO } from '../../shared/types';
import { SETTINGS_POLL_MS } from '../../server/moderation/settings';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, type TestForum, type TestSocket, closeTwoInstances, startTwoInstances } from '../helpers/forum';


describe('moderation across two instances (Redis)', () => {
  let prefix: string;
  let a: TestForum;
  let b: TestForum;
  let admin: SignedUp;
  let member: SignedUp;
  let slug: string;

  before(async () => {
    ({ a, b, prefix } = await startTwoInstances('mod_redis', { POSTING_LIMIT_PER_MINUTE: '1000' }));
    admin = await signUp(a, { role: 'admin' });
    member = await signUp(a);
    slug = (await admin.agent.post('/api/songs').send({ title: 'Everywhere', artist: 'The Instances' }).expect(201)).body.slug;
  });
  after(async () => {
    await closeTwoInstances(a, b, prefix);
  });

  async function reader(forum: TestForum, cookie?: string): Promise<TestSocket> {
    const s = forum.socket({ cookie });
    await connected(s);
    assert.equal((await emitAck(s, 'thread:join', { slug })).ok, true);
    return s;
  }

  it('holds a settings change made on one instance on the other within 2 s', async () => {
    const onB = b.agent().set('cookie', member.cookie);
    await onB.post(`/api/songs/${slug}/comments`).send({ body: 'a quokka before' }).expect(201);
    await admin.agent.patch('/api/admin/settings').send({ bannedWords: ['quokka'] }).expect(200);
    // B reloads on its poll (every SETTINGS_POLL_MS, so within 2 s): wait for it, then B refuses the word.
    for (let i = 0; i < 100 && !b.deps.settings.current().bannedWords.includes('quokka'); i++) await new Promise((r) => setTimeout(r, SETTINGS_POLL_MS / 10));
    const res = await onB.post(`/api/songs/${slug}/comments`).send({ body: 'a quokka after' }).expect(400);
    assert.equal(res.body.error.code, 'BANNED_WORDS');
    await admin.agent.patch('/api/admin/settings').send({ bannedWords: [] }).expect(200);
  });

  it('tells a member banned on A on their socket on B at once, and B refuses their posts', async () => {
    const victim = await signUp(a);
    const theirs = await reader(b, victim.cookie);
    // B has read their (absent) ban once already: it keeps it per member version, which the ban on A moves.
    await b.agent().set('cookie', victim.cookie).post(`/api/songs/${slug}/comments`).send({ body: 'before the ban' }).expect(201);
    const told = nextEvent<any>(theirs, 'account:banned');
    await admin.agent.post(`/api/moderation/users/${victim.user.id}`).send({ action: 'ban', reason: 'spam' }).expect(200);
    assert.deepEqual(await told, { reason: 'spam', until: null });
    const ack = await emitAck(theirs, 'comment:post', { slug, body: 'still here', clientId: 'ban-1' });
    assert.deepEqual([ack.ok, ack.error?.code], [false, 'BANNED']);
    assert.equal((await b.agent().set('cookie', victim.cookie).post(`/api/songs/${slug}/comments`).send({ body: 'x' }).expect(403)).body.error.code, 'BANNED');
    theirs.disconnect();
  });

  it('delivers an approval made on A to a reader on B once, and the held comment never', async () => {
    await admin.agent.patch('/api/admin/settings').send({ premoderation: 'all' }).expect(200);
    while (b.deps.settings.current().premoderation !== 'all') await new Promise((r) => setTimeout(r, 50));
    const onB = await reader(b);
    const created: CommentDTO[] = [];
    onB.on('comment:created', (c) => created.push(c));
    const held = (await b.agent().set('cookie', member.cookie).post(`/api/songs/${slug}/comments`).send({ body: 'wait for me' }).expect(201)).body;
    assert.equal(held.status, 'pending');
    const arrived = nextEvent<CommentDTO>(onB, 'comment:created');
    await admin.agent.post(`/api/moderation/comments/${held.id}`).send({ action: 'approve' }).expect(200);
    assert.equal((await arrived).id, held.id);
    // Barrier: a later visible comment through the same room.
    await admin.agent.patch('/api/admin/settings').send({ premoderation: 'off' }).expect(200);
    const next = nextEvent<CommentDTO>(onB, 'comment:created');
    const later = (await admin.agent.post(`/api/songs/${slug}/comments`).send({ body: 'after' }).expect(201)).body;
    assert.equal((await next).id, later.id);
    assert.deepEqual(created.map((c) => [c.id, c.status]), [[held.id, 'visible'], [later.id, 'visible']]);
    onB.disconnect();
  });
});
