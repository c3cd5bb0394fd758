// Without PUBLIC_URL the forum answers only for the names a person uses to reach it directly, so a site whose name
// resolves to this machine (DNS rebinding) can neither read, nor write, nor get its name into our links.
import assert from 'node:assert/strict';
import { createSong } from '../../server/songs/service';
import { signUp } from '../helpers/accounts';
import { capturingLogger, startTestForum, type TestForum } from '../helpers/forum';

describe('security: Host names without PUBLIC_URL', () => {
  let forum: TestForum;
  let port: string;
  let slug: string;
  const log = capturingLogger('warn');
  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true' }, { logger: log.logger });
    port = new URL(forum.url).port;
    const admin = await signUp(forum, { role: 'admin' });
    slug = (await createSong(forum.deps, admin.user, { title: 'Rebinding', artist: 'The Resolvers' })).slug;
  });
  after(() => forum.close());

  const comments = async () => (await forum.agent().get(`/api/songs/${slug}/comments`).expect(200)).body.total;

  it('refuses a guest post whose Host and Origin name another site with 421, storing nothing', async () => {
    const res = await forum
      .agent()
      .post(`/api/songs/${slug}/comments`)
      .set('host', `evil.example:${port}`)
      .set('origin', `http://evil.example:${port}`)
      .send({ body: 'rebound', author: { name: 'Mallory' } });
    assert.equal(res.status, 421);
    assert.equal(res.body.error.code, 'MISDIRECTED_REQUEST');
    assert.equal(await comments(), 0);
  });

  it('answers pages and API asked for under another name with 421', async () => {
    for (const path of ['/', `/songs/${slug}`, '/api/songs', '/login']) {
      for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, `evil@127.0.0.1:${port}`]) {
        const res = await forum.agent().get(path).set('host', host);
        assert.equal(res.status, 421, `${path} for ${host}`);
      }
    }
  });

  it('serves the loopback names on its port, and builds canonical links from them only', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await forum.agent().get(`/songs/${slug}`).set('host', host).expect(200);
      assert.ok(res.text.includes(`<link rel="canonical" href="http://${host}/songs/${slug}"/>`), host);
    }
    await forum.agent().post(`/api/songs/${slug}/comments`).set('host', `localhost:${port}`).set('origin', `http://localhost:${port}`).send({ body: 'hello', author: { name: 'Local' } }).expect(201);
  });

  it('refuses a socket handshake under another name', async () => {
    const socket = forum.socket({ autoConnect: false });
    (socket.io.opts as { extraHeaders?: Record<string, string> }).extraHeaders = { host: `evil.example:${port}` };
    const refused = new Promise<Error>((resolve, reject) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => reject(new Error('connected')));
    });
    socket.connect();
    await refused;
  });

  it('warns at start-up that PUBLIC_URL is unset', () => {
    assert.ok(log.entries.some((e) => e.level === 40 && /PUBLIC_URL is unset/.test(e.msg)));
  });
});

describe('security: Host names with PUBLIC_URL', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum({ PUBLIC_URL: 'https://chorus.example' })));
  after(() => forum.close());

  it('serves whatever Host a proxy sends, and links with PUBLIC_URL only', async () => {
    const res = await forum.agent().get('/').set('host', 'internal-backend:8080').expect(200);
    assert.ok(res.text.includes('<link rel="canonical" href="https://chorus.example/"/>'));
  });
});
