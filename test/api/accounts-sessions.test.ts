// A member keeps at most MAX_SESSIONS_PER_MEMBER signed-in sessions: signing in once more ends the oldest, in
// either session store, and the sockets opened under an ended session close.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { signUp, sessionCookie } from '../helpers/accounts';
import { connected, startTestForum, type TestForum, TEST_REDIS_URL } from '../helpers/forum';


for (const store of ['MongoDB', 'Redis'] as const) {
  describe(`accounts: sessions per member are capped (${store} store)`, () => {
    let forum: TestForum;
    let redis: Redis | null = null;
    before(async () => {
      forum = await startTestForum({ MAX_SESSIONS_PER_MEMBER: '3', ...(store === 'Redis' ? { REDIS_URL: TEST_REDIS_URL } : {}) });
      if (store === 'Redis') redis = new Redis(TEST_REDIS_URL);
    });
    after(async () => {
      redis?.disconnect();
      await forum.close();
    });

    const storedSessionsOf = async (userId: string) => {
      if (redis) {
        const keys = await redis.keys(`${forum.deps.config.redisPrefix}:${forum.dbName}:sess:*`);
        const values = await Promise.all(keys.map((k) => redis!.get(k)));
        return values.filter((v) => v && JSON.parse(v).passport?.user === userId).length;
      }
      const docs = await forum.deps.db.conn.db!.collection('sessions').find({}).toArray();
      return docs.filter((d) => JSON.parse(String(d.session)).passport?.user === userId).length;
    };

    it('ends the oldest session, and closes its sockets, when a member signs in once more than the cap', async () => {
      const member = await signUp(forum);
      const cookies = [member.cookie];
      const logIn = async () => {
        const res = await forum.agent().post('/api/auth/login').send({ username: member.user.username, password: member.password }).expect(200);
        return sessionCookie(res.headers['set-cookie'] as unknown as string[]);
      };
      cookies.push(await logIn(), await logIn());
      const oldest = forum.socket({ cookie: cookies[0] });
      await connected(oldest);
      const closed = new Promise<string>((resolve) => oldest.once('disconnect', resolve));

      cookies.push(await logIn());
      assert.match(await closed, /transport close|io server disconnect/);
      await forum.agent().get('/api/auth/me').set('cookie', cookies[0]).expect(401);
      for (const cookie of cookies.slice(1)) await forum.agent().get('/api/auth/me').set('cookie', cookie).expect(200);
      assert.equal(await storedSessionsOf(member.user.id), 3);

      // Sessions that ended otherwise (logout) free their place: the next sign-in ends nobody.
      await forum.agent().post('/api/auth/logout').set('cookie', cookies[1]).expect(204);
      cookies.push(await logIn());
      for (const cookie of cookies.slice(2)) await forum.agent().get('/api/auth/me').set('cookie', cookie).expect(200);
      assert.equal(await storedSessionsOf(member.user.id), 3);
    });

    it('counts sign-ins through the page form and registration too, and leaves other members alone', async () => {
      const other = await signUp(forum);
      const member = await signUp(forum);
      const viaForm = async () => {
        const res = await forum.agent().post('/login').set('origin', forum.url).type('form').send({ username: member.user.username, password: member.password }).expect(303);
        return sessionCookie(res.headers['set-cookie'] as unknown as string[]);
      };
      const cookies = [member.cookie, await viaForm(), await viaForm(), await viaForm()];
      await forum.agent().get('/api/auth/me').set('cookie', cookies[0]).expect(401);
      await forum.agent().get('/api/auth/me').set('cookie', cookies[3]).expect(200);
      await forum.agent().get('/api/auth/me').set('cookie', other.cookie).expect(200);
    });
  });
}
