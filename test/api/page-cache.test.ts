// The versioned thread page cache (server/cache): a reader's API page and song page are kept as bytes per thread
// version, and every write moves the version, so the very next read, on this instance or another one sharing Redis,
// has the write in it and an ETag taken before the write no longer matches.
import assert from 'node:assert/strict';
import type { CommentDTO, CommentPage } from '../../shared/types';
import { songModel } from '../../server/songs/model';
import { createSong } from '../../server/songs/service';
import { signUp, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { byId, readApi, readHtml, type Read } from '../helpers/reads';
import { capturingLogger, startTestForum, closeTwoInstances, startTwoInstances, type TestForum } from '../helpers/forum';

/** A member's song page (their session cookie): the thread as its data block carries it, and the whole page. */
async function readMemberHtml(member: SignedUp, slug: string): Promise<{ items: CommentDTO[]; html: string }> {
  const res = await member.agent.get(`/songs/${slug}`).set('accept-encoding', 'gzip, deflate, br').expect(200);
  const island = /<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(res.text);
  assert.ok(island, "the member's song page carries its thread");
  return { items: (JSON.parse(island[1]) as { page: CommentPage }).page.items, html: res.text };
}

/**
 * The exactness suite, for a writer and a reader instance (the same one without Redis). Each write is made on the
 * writer after the reader has the page cached (a second read is a hit and a matching If-None-Match gets 304); the
 * next read on the reader has the write, in the API and in the HTML, and the old ETags answer 200.
 */
function exactness(title: string, start: () => Promise<{ writer: TestForum; reader: TestForum; close(): Promise<void> }>) {
  describe(title, () => {
    let writer: TestForum;
    let reader: TestForum;
    let close: () => Promise<void>;
    let author: SignedUp;
    let voter: SignedUp;
    let moderator: SignedUp;
    /** A member reading on the reader instance: their page is the kept thread around their own header. */
    let member: SignedUp;
    let slug: string;

    before(async () => {
      ({ writer, reader, close } = await start());
      member = await signUp(reader);
      author = await signUp(writer);
      voter = await signUp(writer);
      moderator = await signUp(writer, { role: 'moderator' });
      slug = (await createSong(writer.deps, (await signUp(writer, { role: 'admin' })).user, { title: 'Kept Pages', artist: 'The Versions' })).slug;
      await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'the first comment' }).expect(201);
    });
    after(() => close?.());

    /** Reads both forms on the reader until they are cached; answers their ETags. */
    async function cached(): Promise<{ api: Read; html: Read }> {
      await readApi(reader, slug);
      await readHtml(reader, slug);
      await readMemberHtml(member, slug);
      const hits = reader.deps.threadCache.stats().hits;
      const api = await readApi(reader, slug);
      const html = await readHtml(reader, slug);
      await readMemberHtml(member, slug);
      assert.equal(reader.deps.threadCache.stats().hits, hits + 3, 'the second reads are answered from the cache');
      assert.equal((await readApi(reader, slug, 'limit=50', api.etag)).status, 304);
      assert.equal((await readHtml(reader, slug, html.etag)).status, 304);
      return { api, html };
    }

    /** After a write: the reader's next reads have it (`check` on both forms) and the old ETags no longer match. */
    async function seenNext(before: { api: Read; html: Read }, check: (items: CommentDTO[], form: string) => void) {
      const api = await readApi(reader, slug, 'limit=50', before.api.etag);
      assert.equal(api.status, 200, 'the ETag from before the write no longer matches (API)');
      assert.notEqual(api.etag, before.api.etag);
      check(api.items, 'API');
      const html = await readHtml(reader, slug, before.html.etag);
      assert.equal(html.status, 200, 'the ETag from before the write no longer matches (song page)');
      assert.notEqual(html.etag, before.html.etag);
      check(html.items, 'song page');
      check((await readMemberHtml(member, slug)).items, "a member's song page");
    }

    let posted: CommentDTO;

    it('shows a post in the very next read', async () => {
      const before = await cached();
      posted = (await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'a post the cache must not hide' }).expect(201)).body;
      await seenNext(before, (items, form) => assert.equal(byId(items, posted.id)?.body, 'a post the cache must not hide', form));
    });

    it('shows an edit in the very next read', async () => {
      const before = await cached();
      await author.agent.patch(`/api/comments/${posted.id}`).send({ body: 'edited after it was cached' }).expect(200);
      await seenNext(before, (items, form) => assert.equal(byId(items, posted.id)?.body, 'edited after it was cached', form));
    });

    it('shows a vote in the very next read', async () => {
      const before = await cached();
      await voter.agent.post(`/api/comments/${posted.id}/votes`).send({ value: 1 }).expect(200);
      await seenNext(before, (items, form) => assert.equal(byId(items, posted.id)?.score, 1, form));
    });

    it("shows a moderator's pick in the very next read", async () => {
      const before = await cached();
      await moderator.agent.post(`/api/moderation/comments/${posted.id}`).send({ action: 'feature' }).expect(200);
      await seenNext(before, (items, form) => assert.equal(byId(items, posted.id)?.featured, true, form));
    });

    it('drops a comment held by flags from the very next read, and shows it again once approved', async () => {
      const held: CommentDTO = (await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'flag me' }).expect(201)).body;
      let before = await cached();
      assert.ok(byId(before.api.items, held.id));
      // FLAG_THRESHOLD is 1 here: one member's flag holds it for review.
      await voter.agent.post(`/api/comments/${held.id}/flags`).send({ reason: 'spam' }).expect(202);
      await seenNext(before, (items, form) => assert.equal(byId(items, held.id), undefined, `${form}: a held comment is never in a reader's page`));
      // The author (signed in, not cached) still sees their held comment; readers do not.
      const own = (await author.agent.get(`/api/songs/${slug}/comments?limit=50`).expect(200)).body as CommentPage;
      assert.equal(byId(own.items, held.id)?.status, 'pending');
      assert.ok(!(await readHtml(reader, slug)).html.includes('flag me'));
      before = await cached();
      await moderator.agent.post(`/api/moderation/comments/${held.id}`).send({ action: 'approve' }).expect(200);
      await seenNext(before, (items, form) => assert.equal(byId(items, held.id)?.status, 'visible', form));
    });

    it("shows a moderator's removal and restoration in the very next read", async () => {
      let before = await cached();
      await moderator.agent.delete(`/api/comments/${posted.id}`).expect(204);
      await seenNext(before, (items, form) => {
        assert.equal(byId(items, posted.id)?.status, 'removed', form);
        assert.equal(byId(items, posted.id)?.body, '', form);
      });
      before = await cached();
      await moderator.agent.post(`/api/moderation/comments/${posted.id}`).send({ action: 'restore' }).expect(200);
      await seenNext(before, (items, form) => assert.equal(byId(items, posted.id)?.body, 'edited after it was cached', form));
    });

    it("shows an author's own removal in the very next read", async () => {
      const mine: CommentDTO = (await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'I will take this back' }).expect(201)).body;
      const before = await cached();
      assert.ok(byId(before.api.items, mine.id));
      await author.agent.delete(`/api/comments/${mine.id}`).expect(204);
      await seenNext(before, (items, form) => assert.equal(byId(items, mine.id)?.status, 'removed', form));
    });

    it("shows a member's new display name in the very next read", async () => {
      const before = await cached();
      await author.agent.patch('/api/auth/me').send({ displayName: 'Renamed Author' }).expect(200);
      await seenNext(before, (items, form) => assert.ok(items.filter((c) => c.author.userId === author.user.id).every((c) => c.author.name === 'Renamed Author'), form));
    });
  });
}

describe('thread page cache', function () {
  this.timeout(60_000);

  exactness('two instances with Redis: a write on A is in the very next read on B', async () => {
    const { a, b, prefix } = await startTwoInstances('page_cache', { POSTING_LIMIT_PER_MINUTE: '1000', FLAG_THRESHOLD: '1' });
    return {
      writer: a,
      reader: b,
      close: () => closeTwoInstances(a, b, prefix),
    };
  });

  exactness('one instance without Redis (embedded thread store)', async () => {
    const forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000', FLAG_THRESHOLD: '1' }, { threadStore: 'embedded' });
    return { writer: forum, reader: forum, close: () => forum.close() };
  });

  exactness('one instance without Redis (mongo thread store)', async () => {
    const forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000', FLAG_THRESHOLD: '1' }, { threadStore: 'mongo' });
    return { writer: forum, reader: forum, close: () => forum.close() };
  });

  describe("a member's song page: the kept thread around their own header (two instances with Redis)", () => {
    let a: TestForum;
    let b: TestForum;
    let prefix: string;
    let slug: string;
    let ana: SignedUp;
    let ben: SignedUp;
    let admin: SignedUp;
    before(async () => {
      ({ a, b, prefix } = await startTwoInstances('member_pages', { POSTING_LIMIT_PER_MINUTE: '1000', FLAG_THRESHOLD: '1' }));
      admin = await signUp(a, { role: 'admin' });
      ana = await signUp(a, { displayName: 'Ana Member' });
      ben = await signUp(a, { displayName: 'Ben Member' });
      slug = (await createSong(a.deps, admin.user, { title: 'Member Pages', artist: 'The Parts' })).slug;
      await ben.agent.post(`/api/songs/${slug}/comments`).send({ body: 'a comment everyone reads' }).expect(201);
    });
    after(() => closeTwoInstances(a, b, prefix));

    /** The member's page on instance B (sessions are shared through Redis). */
    const onB = async (m: SignedUp, encoding = 'gzip') => {
      const res = await b.agent().get(`/songs/${slug}`).set('cookie', m.cookie).set('accept-encoding', encoding).expect(200);
      const block = (id: string) => JSON.parse(new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(res.text)![1]);
      return { html: res.text, headers: res.headers, thread: block('thread-data'), viewer: block('viewer-data') };
    };
    const bell = (html: string) => /<span aria-hidden="true">(\d+)<\/span><span class="sr-only">\(\d+ unread\)<\/span>/.exec(html)?.[1];

    it('shows each member their own header and block on the one kept thread, compressed or not', async () => {
      await onB(ana);
      const hits = b.deps.threadCache.stats().hits;
      const anas = await onB(ana);
      const bens = await onB(ben);
      assert.equal(b.deps.threadCache.stats().hits, hits + 2, "the second member's page is the kept thread");
      assert.match(anas.html, /Signed in as <strong>Ana Member<\/strong>/);
      assert.doesNotMatch(anas.html, /Ben Member<\/strong>/);
      assert.match(bens.html, /Signed in as <strong>Ben Member<\/strong>/);
      assert.equal(anas.headers['content-encoding'], 'gzip');
      // A member's page is theirs (private, Vary: Cookie), with an ETag of its own: their next request may get 304.
      assert.match(anas.headers['cache-control'], /private/);
      assert.match(anas.headers.vary, /Cookie/);
      assert.ok(anas.headers.etag);
      assert.notEqual(bens.headers.etag, anas.headers.etag, "one member's page never matches another's");
      const again = await b.agent().get(`/songs/${slug}`).set('cookie', ana.cookie).set('accept-encoding', 'gzip').set('if-none-match', anas.headers.etag).expect(304);
      assert.equal(again.headers.etag, anas.headers.etag);
      await b.agent().get(`/songs/${slug}`).set('cookie', ben.cookie).set('accept-encoding', 'gzip').set('if-none-match', anas.headers.etag).expect(200);
      // The thread data is everyone's; who they are is in their own block.
      assert.equal(anas.thread.user, null);
      assert.equal(anas.viewer.user.id, ana.user.id);
      assert.equal(bens.viewer.user.id, ben.user.id);
      assert.ok(anas.thread.page.items.some((c: CommentDTO) => c.body === 'a comment everyone reads'));
      // A member posts with the member's form, never the guests' one.
      assert.doesNotMatch(anas.html, /name="formToken"/);
      assert.match(anas.html, /<form[^>]*data-role="comment-form"/);
      const plain = await onB(ana, 'identity');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.html, anas.html, 'the gzip page inflates to the very same bytes');
      assert.notEqual(plain.headers.etag, anas.headers.etag, 'each encoding has its own tag');
      // A write to the thread (made on the other instance) makes the old tag stale.
      await ben.agent.post(`/api/songs/${slug}/comments`).send({ body: 'news for the tag' }).expect(201);
      const fresh = await b.agent().get(`/songs/${slug}`).set('cookie', ana.cookie).set('accept-encoding', 'gzip').set('if-none-match', anas.headers.etag).expect(200);
      assert.notEqual(fresh.headers.etag, anas.headers.etag);
      assert.ok(fresh.text.includes('news for the tag'));
    });

    it("shows a member's own held comment to them alone", async () => {
      const held: CommentDTO = (await ana.agent.post(`/api/songs/${slug}/comments`).send({ body: 'held for Ana alone' }).expect(201)).body;
      await ben.agent.post(`/api/comments/${held.id}/flags`).send({ reason: 'spam' }).expect(202);
      const anas = await onB(ana);
      assert.equal(anas.thread.page.items.find((c: CommentDTO) => c.id === held.id)?.status, 'pending');
      assert.ok(anas.html.includes('held for Ana alone'));
      assert.ok(!(await onB(ben)).html.includes('held for Ana alone'));
      await admin.agent.post(`/api/moderation/comments/${held.id}`).send({ action: 'approve' }).expect(200);
      assert.ok((await onB(ben)).html.includes('held for Ana alone'), 'approved: in every page');
    });

    it("shows a rename, a role change and the unread count made on A in the member's very next page on B", async () => {
      await onB(ben);
      await ben.agent.patch('/api/auth/me').send({ displayName: 'Ben Renamed' }).expect(200);
      assert.match((await onB(ben)).html, /Signed in as <strong>Ben Renamed<\/strong>/);

      assert.doesNotMatch((await onB(ben)).html, /href="\/moderation"/);
      assert.doesNotMatch((await onB(ben)).html, /data-role="mod-menu"/);
      await admin.agent.post(`/api/moderation/users/${ben.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
      const asModerator = await onB(ben);
      assert.match(asModerator.html, /href="\/moderation"/);
      assert.match(asModerator.html, /data-role="mod-menu"/, "a moderator's page carries their tools on the comments");
      assert.equal(asModerator.viewer.user.role, 'moderator');

      assert.equal(bell((await onB(ana)).html), '0');
      const parent = (await onB(ana)).thread.page.items.find((c: CommentDTO) => c.author.userId === ana.user.id) as CommentDTO;
      const reply = new Promise<void>((resolve) => a.deps.bus.once('notification.created', () => resolve()));
      await ben.agent.post(`/api/songs/${slug}/comments`).send({ body: 'a reply to Ana', parentId: parent.id }).expect(201);
      await reply;
      assert.equal(bell((await onB(ana)).html), '1');
      await ana.agent.post('/api/notifications/read').send({}).expect(200);
      assert.equal(bell((await onB(ana)).html), '0');
    });

    it('answers HEAD with the headers alone', async () => {
      const res = await b.agent().head(`/songs/${slug}`).set('cookie', ana.cookie).set('accept-encoding', 'gzip').expect(200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.ok(Number(res.headers['content-length']) > 0);
    });
  });

  describe("a member's page answered before the app (one instance, sessions kept in memory)", () => {
    let forum: TestForum;
    let entries: Record<string, any>[];
    let slug: string;
    let admin: SignedUp;
    before(async () => {
      const captured = capturingLogger('debug');
      entries = captured.entries;
      forum = await startTestForum({ LOG_LEVEL: 'debug' }, { logger: captured.logger });
      admin = await signUp(forum, { role: 'admin' });
      slug = (await createSong(forum.deps, admin.user, { title: 'Before The App', artist: 'The Fast Path' })).slug;
      await admin.agent.post(`/api/songs/${slug}/comments`).send({ body: 'read me, members' }).expect(201);
    });
    after(() => forum?.close());

    /** The app logs every request it answers (a read at debug); the hot path answers without a line. */
    const appAnswered = () => entries.filter((e) => e.msg === 'request completed' && e.req?.url === `/songs/${slug}`).length;
    const page = (cookie: string) => forum.agent().get(`/songs/${slug}`).set('cookie', cookie).set('accept-encoding', 'gzip').expect(200);
    const expiresOf = (res: { headers: Record<string, unknown> }) => {
      const set = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('chorus.sid='));
      assert.ok(set, 'the session cookie is renewed');
      return Date.parse(/Expires=([^;]+)/.exec(set)![1]);
    };

    it("answers a member's second read before the app: their header, the kept thread, a renewed cookie", async () => {
      const ana = await signUp(forum, { displayName: 'Ana Fast' });
      const first = await page(ana.cookie);
      const before = appAnswered();
      const second = await page(ana.cookie);
      assert.equal(appAnswered(), before, 'the second read never reached the app');
      assert.match(second.text, /Signed in as <strong>Ana Fast<\/strong>/);
      assert.ok(second.text.includes('read me, members'));
      assert.equal(second.text.replace(/"now":\d+/, ''), first.text.replace(/"now":\d+/, ''), 'the same page the app made');
      assert.match(String(second.headers['content-security-policy']), /script-src 'self'/);
      assert.ok(expiresOf(second) >= expiresOf(first), 'the cookie expiry moves on as the app moves it');
      assert.ok(expiresOf(second) > Date.now() + 29 * 24 * 3600 * 1000);
    });

    it('never takes a cookie whose signature is not ours, or a session that has ended', async () => {
      const ben = await signUp(forum, { displayName: 'Ben Fast' });
      await page(ben.cookie);
      await page(ben.cookie);
      const [name, value] = ben.cookie.split('=');
      const forged = `${name}=${value.slice(0, -3)}${value.slice(-3) === 'abc' ? 'abd' : 'abc'}`;
      assert.doesNotMatch((await page(forged)).text, /Ben Fast/);
      await ben.agent.post('/api/auth/logout').expect(204);
      const after = await page(ben.cookie);
      assert.doesNotMatch(after.text, /Ben Fast/);
      assert.match(after.text, /href="\/login/, 'a reader again');
    });

    it('ends a session from before a password change, and hands a moderator their tools', async () => {
      const cleo = await signUp(forum, { displayName: 'Cleo Fast' });
      await page(cleo.cookie);
      assert.match((await page(cleo.cookie)).text, /Cleo Fast/);
      // Another session of Cleo's changes the password: this one ends.
      const other = forum.agent();
      await other.post('/api/auth/login').send({ username: cleo.user.username, password: TEST_PASSWORD }).expect(200);
      await other.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase for cleo' }).expect(204);
      assert.doesNotMatch((await page(cleo.cookie)).text, /Cleo Fast/);

      const dev = await signUp(forum, { displayName: 'Dev Fast' });
      await page(dev.cookie);
      assert.doesNotMatch((await page(dev.cookie)).text, /data-role="mod-menu"/);
      await admin.agent.post(`/api/moderation/users/${dev.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
      assert.match((await page(dev.cookie)).text, /data-role="mod-menu"/);
    });
  });

  describe("a reader's cached page and its no-JavaScript form", () => {
    let forum: TestForum;
    let slug: string;
    before(async () => {
      forum = await startTestForum({ GUEST_POSTING: 'true', GUEST_MIN_FILL_SECONDS: '0', POSTING_LIMIT_PER_MINUTE: '1000' });
      slug = (await createSong(forum.deps, (await signUp(forum, { role: 'admin' })).user, { title: 'One Form', artist: 'Many Guests' })).slug;
    });
    after(() => forum?.close());

    it('posts two guests\' different comments from one cached page (same clientId, same address) and a resubmission once', async () => {
      const first = await forum.agent().get(`/songs/${slug}`).expect(200);
      const second = await forum.agent().get(`/songs/${slug}`).expect(200);
      const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1];
      assert.equal(field(second.text, 'clientId'), field(first.text, 'clientId'), 'the same cached page');
      const form = (body: string, name: string) => ({ body, name, clientId: field(first.text, 'clientId'), formToken: field(first.text, 'formToken'), website: '' });
      await forum.agent().post(`/songs/${slug}/comments`).type('form').send(form('I was here first', 'Ada')).expect(303);
      await forum.agent().post(`/songs/${slug}/comments`).type('form').send(form('and I came second', 'Bo')).expect(303);
      await forum.agent().post(`/songs/${slug}/comments`).type('form').send(form('I was here first', 'Ada')).expect(303);
      const page = (await forum.agent().get(`/api/songs/${slug}/comments`).expect(200)).body as CommentPage;
      assert.deepEqual(page.items.map((c) => [c.author.name, c.body]), [
        ['Ada', 'I was here first'],
        ['Bo', 'and I came second'],
      ]);
      const html = await forum.agent().get(`/songs/${slug}`).expect(200);
      assert.match(html.text, /and I came second/);
    });
  });

  describe('one build per key, the byte budget, what is sent', () => {
    let forum: TestForum;
    let tiny: TestForum;
    let member: SignedUp;
    let slug: string;
    let tinySlug: string;
    before(async () => {
      forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000' });
      // About 20 KB: a few pages of this thread at most.
      tiny = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000', PAGE_CACHE_MB: '0.02' });
      member = await signUp(forum);
      slug = (await createSong(forum.deps, (await signUp(forum, { role: 'admin' })).user, { title: 'Cold Start', artist: 'The Crowd' })).slug;
      for (let i = 0; i < 12; i++) await member.agent.post(`/api/songs/${slug}/comments`).send({ body: `comment ${i} `.padEnd(300, 'x') }).expect(201);
      const tinyMember = await signUp(tiny);
      tinySlug = (await createSong(tiny.deps, (await signUp(tiny, { role: 'admin' })).user, { title: 'Small Budget', artist: 'The Crowd' })).slug;
      for (let i = 0; i < 12; i++) await tinyMember.agent.post(`/api/songs/${tinySlug}/comments`).send({ body: `comment ${i} `.padEnd(600, 'y') }).expect(201);
    });
    after(async () => {
      await forum?.close();
      await tiny?.close();
    });

    it('builds a cold page once however many readers ask for it at the same time', async () => {
      const before = forum.deps.threadCache.stats();
      const reads = await Promise.all(Array.from({ length: 20 }, () => forum.agent().get(`/api/songs/${slug}/comments?sort=newest&limit=7`).expect(200)));
      const after = forum.deps.threadCache.stats();
      assert.equal(after.builds - before.builds, 1, 'one build for 20 simultaneous misses');
      assert.equal(after.misses + after.hits - before.misses - before.hits, 20);
      for (const r of reads) assert.deepEqual(r.body, reads[0].body);
      assert.equal((reads[0].body as CommentPage).items.length, 7);
    });

    it('answers If-None-Match with 304 and sends what the client takes, with its own ETag per encoding', async () => {
      const url = `/api/songs/${slug}/comments?limit=5`;
      const br = await forum.agent().get(url).set('accept-encoding', 'br').expect(200);
      assert.equal(br.headers['content-encoding'], 'br');
      const gz = await forum.agent().get(url).set('accept-encoding', 'gzip').expect(200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      const plain = await forum.agent().get(url).set('accept-encoding', 'identity').expect(200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.deepEqual(br.body, plain.body);
      assert.deepEqual(gz.body, plain.body);
      assert.equal(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size, 3, 'different bytes, different strong ETags');
      assert.match(br.headers.etag, /^"[^"]+"$/, 'a strong ETag');
      assert.match(String(br.headers.vary), /Accept-Encoding/);
      assert.match(String(br.headers.vary), /Cookie/);
      for (const etag of [br.headers.etag, gz.headers.etag, plain.headers.etag]) {
        const res = await forum.agent().get(url).set('accept-encoding', 'gzip').set('if-none-match', etag);
        assert.equal(res.status, 304);
        assert.equal(res.text, '');
      }
      assert.equal((await forum.agent().get(url).set('if-none-match', '"something-else"')).status, 200);
    });

    it('answers a repeated reader request with the same headers as the app, and still refuses other host names', async () => {
      const url = `/songs/${slug}?sort=newest`;
      const first = await forum.agent().get(url).expect(200);
      const hits = forum.deps.threadCache.stats().hits;
      const again = await forum.agent().get(url).expect(200);
      assert.equal(forum.deps.threadCache.stats().hits, hits + 1);
      assert.equal(again.text, first.text);
      for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'content-type', 'cache-control', 'vary', 'etag']) {
        assert.equal(again.headers[name], first.headers[name], name);
      }
      assert.ok(again.headers['content-security-policy'], "helmet's headers are on a hit too");
      const foreign = await forum.agent().get(url).set('host', `evil.example:${new URL(forum.url).port}`);
      assert.equal(foreign.status, 421);
      const api = `/api/songs/${slug}/comments?limit=3`;
      await forum.agent().get(api).expect(200);
      assert.equal((await forum.agent().get(api).set('host', 'evil.example')).status, 421);
    });

    it('gives a member their own page, not the readers\' one', async () => {
      const res = await member.agent.get(`/api/songs/${slug}/comments?limit=5`).expect(200);
      // Express's own weak ETag: the member's answer is made for them, not taken from the cache.
      assert.match(String(res.headers.etag), /^W\//);
      const html = await member.agent.get(`/songs/${slug}`).expect(200);
      assert.match(html.text, new RegExp(member.user.displayName));
    });

    it('stays within a tiny budget by evicting, and still answers every page right', async () => {
      const expected = new Map<number, CommentPage>();
      // Pages of 1 to 12 comments, each a different key, twice over: the budget holds only a few.
      for (let round = 0; round < 2; round++) {
        for (let limit = 1; limit <= 12; limit++) {
          const page = (await tiny.agent().get(`/api/songs/${tinySlug}/comments?limit=${limit}`).expect(200)).body as CommentPage;
          assert.equal(page.items.length, limit);
          if (round === 0) expected.set(limit, page);
          else assert.deepEqual(page, expected.get(limit));
        }
      }
      const stats = tiny.deps.threadCache.stats();
      assert.ok(stats.evictions > 0, `evicted: ${JSON.stringify(stats)}`);
      assert.ok(stats.bytes <= 0.02 * 1024 * 1024, `within the budget: ${JSON.stringify(stats)}`);
      const html = await tiny.agent().get(`/songs/${tinySlug}`).expect(200);
      assert.match(html.text, /comment 11 y/);
    });

    it('keeps nothing with PAGE_CACHE_MB=0, and still answers', async () => {
      const off = await startTestForum({ PAGE_CACHE_MB: '0' });
      try {
        const song = (await createSong(off.deps, (await signUp(off, { role: 'admin' })).user, { title: 'No Cache', artist: 'The Crowd' })).slug;
        await off.agent().get(`/api/songs/${song}/comments`).expect(200);
        await off.agent().get(`/songs/${song}`).expect(200);
        const stats = off.deps.threadCache.stats();
        assert.equal(stats.entries, 0);
        assert.equal(stats.hits, 0);
        assert.equal(stats.bypassed, 2);
      } finally {
        await off.close();
      }
    });
  });

  describe('a post on the embedded store: readers hear of it before its counters move', () => {
    let forum: TestForum;
    let author: SignedUp;
    let slug: string;
    before(async () => {
      forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '1000' }, { threadStore: 'embedded' });
      author = await signUp(forum);
      slug = (await createSong(forum.deps, (await signUp(forum, { role: 'admin' })).user, { title: 'Counted After', artist: 'The Order' })).slug;
      // The instance now knows the thread's last position: the next post takes the quick way.
      await author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'the first comment', clientId: 'first' }).expect(201);
    });
    after(() => forum?.close());

    const page = async (etag?: string) => {
      const req = forum.agent().get(`/api/songs/${slug}/comments?limit=50`);
      if (etag) req.set('if-none-match', etag);
      const res = await req.expect(200);
      return { page: res.body as CommentPage, etag: res.headers.etag as string };
    };

    it("gives the thread's total in the next read after the answer, though a page was read before the count moved", async () => {
      // The song's counters wait for a gate: the post is stored and announced, its count not yet moved.
      const Songs = songModel(forum.deps.db.conn);
      const updateOne = Songs.updateOne;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      Songs.updateOne = ((...args: Parameters<typeof updateOne>) => {
        Songs.updateOne = updateOne;
        return gate.then(() => updateOne.apply(Songs, args));
      }) as typeof updateOne;
      const told = new Promise<string>((resolve) => forum.deps.bus.once('comment.created', ({ comment }) => resolve(comment.id)));
      try {
        const before = await page();
        const answer = author.agent.post(`/api/songs/${slug}/comments`).send({ body: 'told first, counted after', clientId: 'second' }).then((r) => r);
        const id = await told;
        const meanwhile = await page(before.etag);
        assert.ok(byId(meanwhile.page.items, id), 'readers who heard of it find it in the page');
        assert.equal(meanwhile.page.total, before.page.total, 'its count has not moved yet');
        open();
        assert.equal((await answer).status, 201);
        const after = await page(meanwhile.etag);
        assert.equal(after.page.total, before.page.total + 1, 'the next read after the answer has the count');
        assert.equal((await forum.agent().get(`/api/songs/${slug}`).expect(200)).body.commentCount, before.page.total + 1);
      } finally {
        Songs.updateOne = updateOne;
        open();
      }
    });
  });
});
