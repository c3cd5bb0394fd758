// A member who logs out stops being that member on every socket opened under that session, at once.
import assert from 'node:assert/strict';
import { createSong } from '../../server/songs/service';
import { signUp } from '../helpers/accounts';
import { connected, emitAck, startTestForum, type TestForum } from '../helpers/forum';

describe('live threads: logging out', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  for (const [how, logout] of [
    ['the API', (f: TestForum, cookie: string) => f.agent().post('/api/auth/logout').set('cookie', cookie).expect(204)],
    ['the page form', (f: TestForum, cookie: string) => f.agent().post('/logout').set('cookie', cookie).expect(303)],
  ] as const) {
    it(`closes the member's sockets of that session when they log out through ${how}, and leaves their other sessions alone`, async () => {
      const admin = await signUp(forum, { role: 'admin' });
      const { slug } = await createSong(forum.deps, admin.user, { title: `Logout ${how}`, artist: 'Session Enders' });
      const member = await signUp(forum);
      // The same member signed in on a second device.
      const elsewhere = forum.agent();
      await elsewhere.post('/api/auth/login').send({ username: member.user.username, password: member.password }).expect(200);
      const elsewhereCookie = (await elsewhere.get('/api/auth/me').expect(200)).request.cookies;

      const here = forum.socket({ cookie: member.cookie });
      const there = forum.socket({ cookie: elsewhereCookie });
      await Promise.all([connected(here), connected(there)]);
      const first = await emitAck(here, 'comment:post', { slug, body: 'still signed in', clientId: `a-${how.length}` });
      assert.equal(first.ok, true, JSON.stringify(first));

      const heard: string[] = [];
      here.on('session:ended', () => heard.push('session:ended'));
      there.on('session:ended', () => heard.push('the other session heard it'));
      const closed = new Promise<string>((resolve) => here.once('disconnect', resolve));
      await logout(forum, member.cookie);
      assert.match(await closed, /transport close|io server disconnect/);
      // Told before being closed, so the page can turn signed out at once; the other device is not told anything.
      assert.deepEqual(heard, ['session:ended']);

      const reply = await emitAck(there, 'comment:post', { slug, body: 'the other device still posts', clientId: `b-${how.length}` });
      assert.equal(reply.ok, true, JSON.stringify(reply));
    });
  }
});
