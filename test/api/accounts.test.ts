import assert from 'node:assert/strict';
import { sessionCookie, signUp, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

const cookieNamed = (res: { headers: Record<string, unknown> }) =>
  ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('chorus.sid='));

describe('accounts: register, login, logout, me', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  it('registers a member, answers 201 with the User shape and signs them in', async () => {
    const agent = forum.agent();
    const username = uniqueUsername('Reg');
    const res = await agent.post('/api/auth/register').send({ username, password: TEST_PASSWORD, displayName: 'Reggie', location: 'Leeds' }).expect(201);
    assert.deepEqual(Object.keys(res.body).sort(), ['createdAt', 'displayName', 'id', 'location', 'role', 'username']);
    assert.equal(res.body.username, username);
    assert.equal(res.body.displayName, 'Reggie');
    assert.equal(res.body.location, 'Leeds');
    assert.equal(res.body.role, 'member');
    assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
    const me = await agent.get('/api/auth/me').expect(200);
    assert.deepEqual(me.body, res.body);
  });

  it('defaults the display name to the username and location to null', async () => {
    const { user } = await signUp(forum, { username: uniqueUsername('plain') });
    assert.equal(user.displayName, user.username);
    assert.equal(user.location, null);
  });

  it('never stores the password in the users collection, only an argon2id hash in credentials', async () => {
    const { user } = await signUp(forum);
    const db = forum.deps.db.conn.db!;
    const doc = await db.collection('users').findOne({ usernameKey: user.username.toLowerCase() });
    assert.ok(doc);
    assert.ok(!JSON.stringify(doc).includes(TEST_PASSWORD));
    assert.ok(!('hash' in doc) && !('password' in doc));
    const cred = await db.collection('credentials').findOne({ userId: doc._id });
    const hash = String(cred?.hash);
    assert.match(hash, /^\$argon2id\$v=19\$/);
    for (const param of ['m=19456', 't=2', 'p=1']) assert.ok(hash.includes(param), `${param} in ${hash}`);
  });

  it('answers GET /me with 401 UNAUTHENTICATED for a reader', async () => {
    const res = await forum.agent().get('/api/auth/me').expect(401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it('logs in with the right password in any letter case of the username', async () => {
    const { user } = await signUp(forum, { username: uniqueUsername('Case') });
    const agent = forum.agent();
    const res = await agent.post('/api/auth/login').send({ username: user.username.toUpperCase(), password: TEST_PASSWORD }).expect(200);
    assert.deepEqual(res.body, user);
    assert.equal((await agent.get('/api/auth/me').expect(200)).body.id, user.id);
  });

  it('answers 401 INVALID_CREDENTIALS alike for a wrong password and an unknown user', async () => {
    const { user } = await signUp(forum);
    const wrong = await forum.agent().post('/api/auth/login').send({ username: user.username, password: 'not the password' }).expect(401);
    const unknown = await forum.agent().post('/api/auth/login').send({ username: uniqueUsername('ghost'), password: 'not the password' }).expect(401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal(cookieNamed(wrong), undefined);
  });

  it('takes similar time for an unknown user and a wrong password (both verify an argon2 hash)', async () => {
    const { user } = await signUp(forum);
    const time = async (username: string) => {
      const t = process.hrtime.bigint();
      await forum.agent().post('/api/auth/login').send({ username, password: 'not the password' }).expect(401);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    await time(uniqueUsername('warm'));
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(user.username));
      unknown.push(await time(uniqueUsername('ghost')));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [k, u] = [median(known), median(unknown)];
    // An unknown user without the dummy hash would answer in ~1 ms against ~20+ ms for a hash.
    assert.ok(u > k / 3 && u < k * 3, `unknown ${u} ms vs known ${k} ms`);
  });

  it('renews the session id at login', async () => {
    const { user, agent, cookie: before } = await signUp(forum);
    const res = await agent.post('/api/auth/login').send({ username: user.username, password: TEST_PASSWORD }).expect(200);
    const after = sessionCookie(res.headers['set-cookie'] as unknown as string[]);
    assert.notEqual(after, before);
    // The old id is gone: it no longer authenticates.
    await forum.agent().get('/api/auth/me').set('cookie', before).expect(401);
    await forum.agent().get('/api/auth/me').set('cookie', after).expect(200);
  });

  it('logout answers 204 and destroys the session: the old cookie no longer authenticates', async () => {
    const { agent, cookie } = await signUp(forum);
    await forum.agent().get('/api/auth/me').set('cookie', cookie).expect(200);
    const res = await agent.post('/api/auth/logout').expect(204);
    assert.match(String(cookieNamed(res)), /chorus\.sid=;/);
    await forum.agent().get('/api/auth/me').set('cookie', cookie).expect(401);
    await agent.get('/api/auth/me').expect(401);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, with a 30-day expiry and no Secure flag on http', async () => {
    const res = await forum.agent().post('/api/auth/register').send({ username: uniqueUsername('ck'), password: TEST_PASSWORD }).expect(201);
    const c = cookieNamed(res)!;
    assert.match(c, /; HttpOnly/i);
    assert.match(c, /; SameSite=Lax/i);
    assert.doesNotMatch(c, /; Secure/i);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(c)![1]);
    assert.ok(Math.abs(expires - Date.now() - 30 * 24 * 3600 * 1000) < 60_000);
  });

  it('renews the cookie expiry on activity (30 days idle, rolling)', async () => {
    const { agent } = await signUp(forum);
    const res = await agent.get('/api/auth/me').expect(200);
    assert.ok(cookieNamed(res), 'a signed-in request carries a renewed cookie');
  });

  it('refuses a duplicate username in any letter case with 409 USERNAME_TAKEN', async () => {
    const name = uniqueUsername('Dup');
    await signUp(forum, { username: name });
    for (const variant of [name, name.toUpperCase(), name.toLowerCase()]) {
      const res = await forum.agent().post('/api/auth/register').send({ username: variant, password: TEST_PASSWORD }).expect(409);
      assert.equal(res.body.error.code, 'USERNAME_TAKEN');
    }
  });

  it('refuses weak passwords and bad usernames with 400 VALIDATION', async () => {
    for (const body of [
      { username: uniqueUsername('weak'), password: 'short' },
      { username: 'ab', password: TEST_PASSWORD },
      { username: 'has space', password: TEST_PASSWORD },
      { username: 'x'.repeat(31), password: TEST_PASSWORD },
      { username: uniqueUsername('long'), password: 'p'.repeat(201) },
    ]) {
      const res = await forum.agent().post('/api/auth/register').send(body).expect(400);
      assert.equal(res.body.error.code, 'VALIDATION');
    }
  });

  it('rejects unknown fields (400) and never stores them', async () => {
    const username = uniqueUsername('extra');
    const res = await forum.agent().post('/api/auth/register').send({ username, password: TEST_PASSWORD, role: 'admin' }).expect(400);
    assert.equal(res.body.error.code, 'VALIDATION');
    await forum.agent().post('/api/auth/login').send({ username, password: TEST_PASSWORD }).expect(401);
    await forum.agent().post('/api/auth/login').send({ username, password: TEST_PASSWORD, remember: true }).expect(400);
  });

  it('never logs anyone in with operator objects in the login body', async () => {
    await signUp(forum);
    for (const body of [
      { username: { $gt: '' }, password: { $gt: '' } },
      { username: { $ne: null }, password: TEST_PASSWORD },
      { username: 'x', password: { $regex: '.*' } },
    ]) {
      const agent = forum.agent();
      const res = await agent.post('/api/auth/login').send(body);
      assert.ok([400, 401].includes(res.status), `status ${res.status}`);
      await agent.get('/api/auth/me').expect(401);
    }
  });

  it('lets a member edit their display name and location with PATCH /me', async () => {
    const { agent, user } = await signUp(forum);
    const res = await agent.patch('/api/auth/me').send({ displayName: 'New Name', location: 'Cork' }).expect(200);
    assert.equal(res.body.displayName, 'New Name');
    assert.equal(res.body.location, 'Cork');
    assert.equal(res.body.username, user.username);
    const cleared = await agent.patch('/api/auth/me').send({ location: null }).expect(200);
    assert.equal(cleared.body.location, null);
    assert.equal((await agent.get('/api/auth/me')).body.displayName, 'New Name');
    const bad = await agent.patch('/api/auth/me').send({ role: 'admin' }).expect(400);
    assert.equal(bad.body.error.code, 'VALIDATION');
    await agent.patch('/api/auth/me').send({ displayName: '' }).expect(400);
    assert.equal((await agent.get('/api/auth/me')).body.role, 'member');
  });

  it('refuses PATCH /me to a reader with 401', async () => {
    const res = await forum.agent().patch('/api/auth/me').send({ displayName: 'x' }).expect(401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it('signUp with a role gives a session that already carries that role', async () => {
    const { agent } = await signUp(forum, { role: 'moderator' });
    assert.equal((await agent.get('/api/auth/me').expect(200)).body.role, 'moderator');
  });
});

describe('accounts: Secure cookie behind https', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ PUBLIC_URL: 'https://chorus.example', TRUST_PROXY: '1' })));
  after(() => forum.close());

  it('marks the session cookie Secure when PUBLIC_URL is https', async () => {
    const res = await forum
      .agent()
      .post('/api/auth/register')
      .set('x-forwarded-proto', 'https')
      .send({ username: uniqueUsername('sec'), password: TEST_PASSWORD })
      .expect(201);
    const c = cookieNamed(res)!;
    assert.match(c, /; Secure/i);
    assert.match(c, /; HttpOnly/i);
    assert.match(c, /; SameSite=Lax/i);
  });
});
