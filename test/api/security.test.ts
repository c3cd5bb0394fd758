import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { TOUCH_AFTER_MS } from '../../server/accounts/redis-store';
import { helmetOptions } from '../../server/http/security';
import { toErrorBody } from '../../server/http/errors';
import { LOGIN_LIMITS, loginDelayMs } from '../../server/http/security';
import { signUp, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts';
import { connected, startTestForum, type TestForum, TEST_REDIS_URL } from '../helpers/forum';

const FOREIGN = 'https://evil.example';
const ID = '0123456789abcdef01234567';

// Every state-changing route of the contract and of the no-JavaScript pages; some may 404 today, the origin check runs first.
const WRITES: [method: 'post' | 'patch' | 'delete' | 'put', path: string, body?: object][] = [
  ['post', '/api/auth/register', { username: 'csrf_user', password: TEST_PASSWORD }],
  ['post', '/api/auth/login', { username: 'csrf_user', password: TEST_PASSWORD }],
  ['post', '/api/auth/logout'],
  ['patch', '/api/auth/me', { displayName: 'Hijacked' }],
  ['post', '/api/songs', { title: 'T', artist: 'A' }],
  ['post', '/api/songs/x/comments', { body: 'cross-site' }],
  ['patch', `/api/comments/${ID}`, { body: 'cross-site' }],
  ['delete', `/api/comments/${ID}`],
  ['post', `/api/comments/${ID}/votes`, { value: 1 }],
  ['post', `/api/comments/${ID}/flags`, { reason: 'x' }],
  ['put', '/api/anything', {}],
  ['post', '/login', { username: 'csrf_user', password: TEST_PASSWORD }],
  ['post', '/register', { username: 'csrf_user', password: TEST_PASSWORD }],
  ['post', '/logout'],
];

describe('security: origin check, headers', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  it('refuses a cross-site write with 403 CSRF on every state-changing route, and nothing changes', async () => {
    const member = await signUp(forum, { displayName: 'Original' });
    for (const [method, path, body] of WRITES) {
      for (const origin of [FOREIGN, 'null', `http://evil.example:${new URL(forum.url).port}`]) {
        const res = await member.agent[method](path).set('origin', origin).send(body ?? {});
        assert.equal(res.status, 403, `${method.toUpperCase()} ${path} from ${origin}: ${res.status}`);
        assert.equal(res.body.error?.code, 'CSRF', `${method.toUpperCase()} ${path}`);
      }
    }
    const me = await member.agent.get('/api/auth/me').expect(200);
    assert.equal(me.body.displayName, 'Original');
    await forum.agent().post('/api/auth/login').send({ username: 'csrf_user', password: TEST_PASSWORD }).expect(401);
  });

  it('allows same-origin writes and writes without an Origin header (scripts), judged by the session', async () => {
    const member = await signUp(forum);
    await member.agent.patch('/api/auth/me').set('origin', forum.url).send({ displayName: 'Same Site' }).expect(200);
    await member.agent.patch('/api/auth/me').send({ displayName: 'Script' }).expect(200);
    await forum.agent().patch('/api/auth/me').send({ displayName: 'Nobody' }).expect(401);
    const login = await forum.agent().post('/api/auth/login').set('origin', forum.url).send({ username: member.user.username, password: TEST_PASSWORD });
    assert.equal(login.status, 200);
  });

  it('lets reads through from any origin (GET is not a write)', async () => {
    await forum.agent().get('/api/auth/me').set('origin', FOREIGN).expect(401);
    await forum.agent().get('/healthz').set('origin', FOREIGN).expect(200);
  });

  it('sends a strict Content-Security-Policy and the other helmet headers', async () => {
    const res = await forum.agent().get('/api/auth/me');
    const csp = String(res.headers['content-security-policy']);
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it("sends exactly helmet's headers on pages, API answers and errors (worked out once, not per request)", async () => {
    // helmet itself, as a middleware, with the forum's options: what every response must carry.
    const reference = express().disable('x-powered-by').use(helmet(helmetOptions(forum.deps.config))).get('/', (_req, res) => res.end());
    const server = createServer(reference).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const expected = (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).headers;
    server.close();
    const names = [...expected.keys()].filter((n) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(n));
    assert.ok(names.length >= 10, `helmet's headers: ${names.join(', ')}`);
    for (const path of ['/api/songs', '/api/auth/me', '/songs/no-such-song', '/']) {
      const got = (await fetch(`${forum.url}${path}`)).headers;
      for (const name of names) assert.equal(got.get(name), expected.get(name), `${path}: ${name}`);
    }
  });
});

describe('security: origin check against PUBLIC_URL', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ PUBLIC_URL: 'http://chorus.example:8080' })));
  after(() => forum.close());

  it('accepts the public origin and refuses every other one, including the raw host', async () => {
    const member = await signUp(forum);
    await member.agent.patch('/api/auth/me').set('origin', 'http://chorus.example:8080').send({ displayName: 'Public' }).expect(200);
    for (const origin of [forum.url, 'https://chorus.example:8080', 'http://chorus.example']) {
      const res = await member.agent.patch('/api/auth/me').set('origin', origin).send({ displayName: 'Other' }).expect(403);
      assert.equal(res.body.error.code, 'CSRF');
    }
  });
});

describe('security: rate limits', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ TRUST_PROXY: '1', REGISTER_LIMIT_PER_HOUR: '3' })));
  after(() => forum.close());

  const login = (address: string, username: string, password: string) =>
    forum.agent().post('/api/auth/login').set('x-forwarded-for', address).send({ username, password });

  it('trips the login limit within 40 tries from one address, while the owner still logs in from another', async () => {
    const owner = await signUp(forum);
    let limited: Awaited<ReturnType<typeof login>> | null = null;
    let tries = 0;
    while (!limited && tries < 40) {
      tries++;
      const res = await login('198.51.100.7', owner.user.username, `guess number ${tries}`);
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 401);
    }
    assert.ok(limited, 'no 429 within 40 tries');
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0, `Retry-After ${limited.headers['retry-after']}`);
    // Even the right password is refused from the attacking address for now...
    assert.equal((await login('198.51.100.7', owner.user.username, TEST_PASSWORD)).status, 429);
    // ...but the owner, elsewhere, is not locked out.
    const mine = await login('203.0.113.9', owner.user.username, TEST_PASSWORD);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.id, owner.user.id);
  });

  it('slows one address trying many usernames without locking it, and lets a right password from it through', async () => {
    const neighbour = await signUp(forum);
    for (let i = 0; i < LOGIN_LIMITS.addressFreeFailures; i++) {
      assert.equal((await login('198.51.100.8', uniqueUsername('spray'), 'wrong password')).status, 401);
    }
    // Past the free failures each attempt from that address waits before it is judged, and is still judged.
    const started = Date.now();
    assert.equal((await login('198.51.100.8', uniqueUsername('spray'), 'wrong password')).status, 401);
    assert.ok(Date.now() - started >= loginDelayMs(LOGIN_LIMITS.addressFreeFailures), 'the attempt was held');
    // Someone else behind the same address (a NAT) signs in with their right password.
    const mine = await login('198.51.100.8', neighbour.user.username, TEST_PASSWORD);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.id, neighbour.user.id);
    // And another address is not slowed or refused at all.
    assert.equal((await login('198.51.100.9', uniqueUsername('spray'), 'wrong password')).status, 401);
  });

  it('counts successful logins too, against a generous cap per username and address', async () => {
    const member = await signUp(forum);
    for (let i = 0; i < LOGIN_LIMITS.perUserAddressAttempts; i++) assert.equal((await login('198.51.100.10', member.user.username, TEST_PASSWORD)).status, 200);
    const res = await login('198.51.100.10', member.user.username, TEST_PASSWORD);
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.equal((await login('198.51.100.11', member.user.username, TEST_PASSWORD)).status, 200);
  });

  it('limits registrations per address with 429 RATE_LIMITED and Retry-After', async () => {
    const register = (address: string, username = uniqueUsername('r')) =>
      forum.agent().post('/api/auth/register').set('x-forwarded-for', address).send({ username, password: TEST_PASSWORD });
    // Refused attempts (a name already taken) make no account and do not count.
    const taken = (await register('192.0.2.49')).body.username as string;
    for (let i = 0; i < 5; i++) assert.equal((await register('192.0.2.50', taken)).status, 409);
    for (let i = 0; i < 3; i++) assert.equal((await register('192.0.2.50')).status, 201);
    const res = await register('192.0.2.50');
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal((await register('192.0.2.51')).status, 201);
  });

  it('gives each poster a posting budget (10 a minute), shared by whoever asks with that key', async () => {
    const poster = `user:${uniqueUsername('p')}`;
    for (let i = 0; i < 10; i++) await forum.deps.limits.posting(poster);
    await assert.rejects(forum.deps.limits.posting(poster), (err: unknown) => {
      const { status, body, headers } = toErrorBody(err);
      assert.equal(status, 429);
      assert.equal(body.error.code, 'RATE_LIMITED');
      assert.ok(Number(headers?.['Retry-After']) > 0 && Number(headers?.['Retry-After']) <= 60);
      return true;
    });
    await forum.deps.limits.posting(`user:${uniqueUsername('other')}`);
  });
});

describe('security: read limit', () => {
  let forum: TestForum;
  let slug: string;
  before(async () => {
    // PUBLIC_URL: behind a proxy the links of kept pages cannot come from its headers, so only then are pages kept.
    forum = await startTestForum({ TRUST_PROXY: '1', PUBLIC_URL: 'http://chorus.example', READ_LIMIT_PER_MINUTE: '5' });
    const admin = await signUp(forum, { role: 'admin' });
    slug = (await admin.agent.post('/api/songs').send({ title: 'Read Limit', artist: 'The Scrapers' }).expect(201)).body.slug;
  });
  after(() => forum.close());
  const get = (path: string, address: string) => forum.agent().get(path).set('x-forwarded-for', address);

  it('answers an address past its reads 429 (JSON on the API, a page on pages), while cache hits, members and others read on', async () => {
    // One reader brings the song page and its first comments page into the cache.
    await get(`/songs/${slug}`, '192.0.2.9').expect(200);
    await get(`/api/songs/${slug}/comments`, '192.0.2.9').expect(200);
    // Another walks pages the cache does not hold (each another address for the database to read).
    for (let i = 1; i <= 5; i++) await get(`/api/songs/${slug}/comments?sort=newest&limit=${i}`, '192.0.2.10').expect(200);
    const api = await get(`/api/songs/${slug}/comments?sort=newest&limit=6`, '192.0.2.10').expect(429);
    assert.equal(api.body.error.code, 'RATE_LIMITED');
    assert.match(api.body.error.message, /^Too many requests; try again in \d+ seconds?\.$/);
    assert.ok(Number(api.headers['retry-after']) > 0 && Number(api.headers['retry-after']) <= 60);
    const page = await get('/', '192.0.2.10').expect(429);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.text, /Too many requests; try again in/);
    assert.ok(Number(page.headers['retry-after']) > 0);
    assert.doesNotMatch(page.text, /at .+\.ts:\d+/);

    // What the cache holds is answered before the app, to this address too.
    await get(`/songs/${slug}`, '192.0.2.10').expect(200);
    await get(`/api/songs/${slug}/comments`, '192.0.2.10').expect(200);
    // Another address reads on, as does a member from this one (their budget is their own); logging in is no read.
    await get('/', '192.0.2.11').expect(200);
    const member = await signUp(forum, { displayName: 'Reads On' });
    await member.agent.get('/').set('x-forwarded-for', '192.0.2.10').expect(200);
    await forum.agent().post('/api/auth/login').set('x-forwarded-for', '192.0.2.10').send({ username: member.user.username, password: TEST_PASSWORD }).expect(200);
  });
});

describe('security: sessions and limits in Redis', () => {
  let forum: TestForum;
  let redis: Redis;
  before(async () => {
    forum = await startTestForum({ REDIS_URL: TEST_REDIS_URL, TRUST_PROXY: '1', POSTING_LIMIT_PER_MINUTE: '2' });
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await forum.close();
    redis.disconnect();
  });

  it('keeps the session in Redis and deletes it at logout', async () => {
    const member = await signUp(forum);
    const sid = decodeURIComponent(member.cookie.split('=')[1]).replace(/^s:/, '').split('.')[0];
    const key = `${forum.deps.config.redisPrefix}:${forum.dbName}:sess:${sid}`;
    const stored = JSON.parse((await redis.get(key)) ?? 'null');
    assert.equal(stored?.passport?.user, member.user.id);
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 29 * 24 * 3600 && ttl <= 30 * 24 * 3600, `ttl ${ttl}`);
    await member.agent.get('/api/auth/me').expect(200);
    await member.agent.post('/api/auth/logout').expect(204);
    assert.equal(await redis.exists(key), 0);
    await forum.agent().get('/api/auth/me').set('cookie', member.cookie).expect(401);
  });

  it('renews the stored expiry at most once an hour, so a signed-in read writes nothing to Redis', async () => {
    const member = await signUp(forum);
    const sid = decodeURIComponent(member.cookie.split('=')[1]).replace(/^s:/, '').split('.')[0];
    const key = `${forum.deps.config.redisPrefix}:${forum.dbName}:sess:${sid}`;
    // A marker expiry: a write to the key (an EXPIRE or SET) would move it back to about 30 days.
    await redis.expire(key, 1000);
    await member.agent.get('/api/auth/me').expect(200);
    await member.agent.get('/songs/no-such-song').expect(404);
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 0 && ttl <= 1000, `the session was left alone: ttl ${ttl}`);
    // Last written over an hour ago: the next read moves the expiry (the session stays for 30 days idle).
    const stored = JSON.parse((await redis.get(key))!);
    await redis.set(key, JSON.stringify({ ...stored, lastModified: Date.now() - TOUCH_AFTER_MS - 60_000 }), 'EX', 1000);
    await member.agent.get('/api/auth/me').expect(200);
    assert.ok((await redis.ttl(key)) > 29 * 24 * 3600, 'the expiry moved');
    assert.ok(JSON.parse((await redis.get(key))!).lastModified > Date.now() - 60_000);
    await member.agent.get('/api/auth/me').expect(200);
  });

  it('trips the login limit through the Redis store too', async () => {
    const owner = await signUp(forum);
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      status = (await forum.agent().post('/api/auth/login').set('x-forwarded-for', '198.51.100.20').send({ username: owner.user.username, password: 'wrong password' })).status;
    }
    assert.equal(status, 429);
    await forum.agent().post('/api/auth/login').set('x-forwarded-for', '198.51.100.21').send({ username: owner.user.username, password: TEST_PASSWORD }).expect(200);
  });

  it('keeps the posting budget in Redis (POSTING_LIMIT_PER_MINUTE)', async () => {
    const poster = `user:${uniqueUsername('rp')}`;
    await forum.deps.limits.posting(poster);
    await forum.deps.limits.posting(poster);
    await assert.rejects(forum.deps.limits.posting(poster), (err: unknown) => toErrorBody(err).status === 429);
    const keys = await redis.keys(`${forum.deps.config.redisPrefix}:${forum.dbName}:rl:posting:*`);
    assert.ok(keys.length >= 1);
  });
});

describe('security: sockets share the session', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  const serverSideUsers = async () => (await forum.io.fetchSockets()).map((s) => s.data.user);

  it('a socket opened with a member cookie is that member on the server', async () => {
    const member = await signUp(forum);
    const socket = forum.socket({ cookie: member.cookie, origin: forum.url });
    await connected(socket);
    const server = forum.io.sockets.sockets.get(socket.id!);
    assert.ok(server, 'the server knows the socket');
    assert.equal(server.data.user?.id, member.user.id);
    assert.equal(server.data.user?.username, member.user.username);
    assert.equal((server.request as { user?: { id: string } }).user?.id, member.user.id);
    socket.disconnect();
  });

  it('a socket without a cookie is a reader', async () => {
    const socket = forum.socket();
    await connected(socket);
    const server = forum.io.sockets.sockets.get(socket.id!);
    assert.ok(server, 'the server knows the socket');
    assert.equal(server.data.user, null);
    socket.disconnect();
  });

  it('a socket with a logged-out cookie is a reader', async () => {
    const member = await signUp(forum);
    await member.agent.post('/api/auth/logout').expect(204);
    const socket = forum.socket({ cookie: member.cookie });
    await connected(socket);
    const server = forum.io.sockets.sockets.get(socket.id!);
    assert.ok(server, 'the server knows the socket');
    assert.equal(server.data.user, null);
    socket.disconnect();
  });

  it('refuses a socket whose Origin names another site', async () => {
    const member = await signUp(forum);
    const before = (await serverSideUsers()).length;
    const socket = forum.socket({ cookie: member.cookie, origin: FOREIGN });
    await assert.rejects(connected(socket));
    assert.equal((await serverSideUsers()).length, before);
  });
});
