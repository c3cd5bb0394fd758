// Guests cannot pass for members: a guest's comment says so wherever it is shown (the Comment's `author.guest`, a
// "guest" label on every page), invisible format characters are taken out of every name and place, and a guest may
// not post under a member's username or display name, in any case, accents or invisible characters.
import assert from 'node:assert/strict';
import type { CommentDTO, SongDTO } from '../../shared/types';
import { holdExistingMemberNames, isMemberName } from '../../server/accounts/names';
import { userModel } from '../../server/accounts/model';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, startTestForum, type TestForum } from '../helpers/forum';

describe('guests and members’ names', () => {
  let forum: TestForum;
  let zoe: SignedUp;
  let song: SongDTO;
  const guestPost = (author: Record<string, unknown>, body = 'a guest writes') => forum.agent().post(`/api/songs/${song.slug}/comments`).send({ body, author });

  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true', POSTING_LIMIT_PER_MINUTE: '1000' });
    const admin = await signUp(forum, { role: 'admin' });
    zoe = await signUp(forum, { username: `zq_${Date.now().toString(36)}`, displayName: 'Zoë Quinn', location: 'Leeds' });
    song = await createSong(forum.deps, admin.user, { title: 'Who Are You', artist: 'The Namers' });
  });
  after(() => forum.close());

  it("refuses a guest under a member's display name or username, in any case, accents or invisible characters (400 NAME_TAKEN), and stores nothing", async () => {
    for (const name of ['Zoë Quinn', 'ZOE QUINN', 'zoe quinn', '\u202EZoë Quinn', 'Zo\u200Bë  Quinn', zoe.user.username.toUpperCase(), `\u2066${zoe.user.username}\u2069`]) {
      const res = await guestPost({ name });
      assert.equal(res.status, 400, `${JSON.stringify(name)}: ${res.status} ${res.text}`);
      assert.equal(res.body.error.code, 'NAME_TAKEN');
      assert.match(res.body.error.message, /member's name/);
    }
    const page = (await forum.agent().get(`/api/songs/${song.slug}/comments`).expect(200)).body;
    assert.equal(page.total, 0);
  });

  it('refuses it over a socket too', async () => {
    const s = forum.socket();
    await connected(s);
    const reply = await emitAck(s, 'comment:post', { slug: song.slug, body: 'hello', clientId: 'g-sock-1', author: { name: 'zoë quinn' } });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'NAME_TAKEN');
    s.disconnect();
  });

  it('marks a guest as a guest and a member as a member in the Comment', async () => {
    const guest: CommentDTO = (await guestPost({ name: 'Zoe Quinnell', location: 'York' }).expect(201)).body;
    assert.deepEqual(guest.author, { name: 'Zoe Quinnell', location: 'York', userId: null, guest: true });
    const own: CommentDTO = (await zoe.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'the real Zoë' }).expect(201)).body;
    assert.deepEqual(own.author, { name: 'Zoë Quinn', location: 'Leeds', userId: zoe.user.id, guest: false });
    const reply: CommentDTO = (await guestPost({ name: 'Answerer' }, 'a reply').send({ body: 'a reply', parentId: guest.id, author: { name: 'Answerer' } }).expect(201)).body;
    assert.equal(reply.inReplyTo?.guest, true);
  });

  it('takes bidi and other format characters out of guests’ names and places ("\\u202E564nimda" is stored as it reads)', async () => {
    const c: CommentDTO = (await guestPost({ name: '\u202E564nimda', location: '\u2066Lon\u200Bdon\u2069\u202C' }).expect(201)).body;
    assert.equal(c.author.name, '564nimda');
    assert.equal(c.author.location, 'London');
    assert.equal((await guestPost({ name: '\u202E\u200B\u2066' })).body.error.code, 'VALIDATION', 'a name of invisible characters only is no name');
  });

  it("takes them out of members' display names and places, at registration and in settings", async () => {
    const m = await signUp(forum, { displayName: '\u202Enoj\u202C', location: 'Ro\u200Bme' });
    assert.equal(m.user.displayName, 'noj');
    assert.equal(m.user.location, 'Rome');
    const me = (await m.agent.patch('/api/auth/me').send({ displayName: 'Jo\u2067n', location: '\u202Aa' }).expect(200)).body;
    assert.equal(me.displayName, 'Jon');
    assert.equal(me.location, 'a');
  });

  it('follows renames: a new display name is refused to guests at once, the old one is free again', async () => {
    const m = await signUp(forum, { displayName: 'Old Name Here' });
    assert.equal((await guestPost({ name: 'old name here' })).status, 400);
    await m.agent.patch('/api/auth/me').send({ displayName: 'Néw Name Here' }).expect(200);
    assert.equal((await guestPost({ name: 'NEW NAME HERE' })).body.error?.code, 'NAME_TAKEN');
    await guestPost({ name: 'Old Name Here' }).expect(201);
    // A name two members share stays held while either has it.
    const a = await signUp(forum, { displayName: 'Twin' });
    await signUp(forum, { displayName: 'twin' });
    await a.agent.patch('/api/auth/me').send({ displayName: 'Not A Twin' }).expect(200);
    assert.equal((await guestPost({ name: 'Twin' })).status, 400);
  });

  it('holds the names of members who registered before names were kept, once, at start-up', async () => {
    const Users = userModel(forum.deps.db.conn);
    // A member as an older version stored them: no displayNameKey, no held names.
    await Users.collection.insertOne({ username: 'Veteran', usernameKey: 'veteran', displayName: 'Old Timer', location: null, role: 'member', createdAt: new Date(), updatedAt: new Date() });
    await forum.deps.db.conn.collection('meta').deleteOne({ _id: 'accounts.memberNames' as never });
    assert.equal(await isMemberName(forum.deps.db.conn, 'old timer'), false);
    assert.ok((await holdExistingMemberNames(forum.deps.db.conn)) >= 1);
    assert.equal((await guestPost({ name: 'OLD TIMER' })).body.error?.code, 'NAME_TAKEN');
    assert.equal((await guestPost({ name: 'veteran' })).body.error?.code, 'NAME_TAKEN');
    assert.equal((await Users.findOne({ usernameKey: 'veteran' }).lean())?.displayNameKey, 'old timer');
    assert.equal(await holdExistingMemberNames(forum.deps.db.conn), 0, 'done once');
  });

  it('labels guests on the song page, and members not', async () => {
    const html = (await forum.agent().get(`/songs/${song.slug}`).expect(200)).text;
    const card = (name: string) => {
      const at = html.indexOf(`>${name}</`);
      assert.ok(at > 0, `${name} is on the page`);
      return html.slice(at, html.indexOf('</header>', at));
    };
    assert.match(card('Zoe Quinnell'), /data-role="guest-label"[^>]*>guest</);
    assert.doesNotMatch(card('Zoë Quinn'), /guest-label/);
  });
});
