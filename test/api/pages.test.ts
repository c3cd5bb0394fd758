import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { CommentDTO, UserDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { createSong } from '../../server/songs/service';
import { signUp, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

const admin: UserDTO = { id: '000000000000000000000001', username: 'admin', displayName: 'Admin', location: null, role: 'admin', createdAt: new Date().toISOString() };

describe('pages (server-rendered HTML)', () => {
  let forum: TestForum;
  let slug: string;
  let member: Awaited<ReturnType<typeof signUp>>;

  before(async () => {
    forum = await startTestForum();
    const song = await createSong(forum.deps, admin, {
      title: 'Bohemian Rhapsody',
      artist: 'Queen',
      featuring: ['Nobody Else'],
      album: 'A Night at the Opera',
      year: 1975,
      charts: [{ region: 'UK', peak: 1 }, { region: 'US', peak: 9 }],
      facts: ['Freddie Mercury wrote most of it at home.\n\nIt took three weeks to record.', 'The video helped make music videos matter.'],
    });
    slug = song.slug;
    member = await signUp(forum, { displayName: 'Ana', location: 'Lisbon' });
    await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'A masterpiece.\n\nSee https://example.org/queen.' });
    await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: '<script>window.pwned=1</script><img src=x onerror=alert(1)> javascript:alert(1)' });
  });
  after(() => forum.close());

  it('renders the song with its facts, chart peaks and comments, with a title, description and canonical link', async () => {
    const res = await forum.agent().get(`/songs/${slug}`).expect(200);
    assert.match(res.headers['content-type'], /html/);
    const html = res.text;
    assert.match(html, /<title>Bohemian Rhapsody by Queen · Chorus<\/title>/);
    assert.match(html, /<meta name="description" content="Freddie Mercury wrote most of it at home\. It took three weeks to record\."/);
    assert.match(html, new RegExp(`<link rel="canonical" href="http://127\\.0\\.0\\.1:\\d+/songs/${slug}"`));
    for (const text of ['A Night at the Opera', '1975', 'featuring Nobody Else', 'UK <strong>#1</strong>', 'It took three weeks to record.', 'The video helped make music videos matter.']) {
      assert.ok(html.includes(text), `missing ${text}`);
    }
    assert.match(html, /data-role="thread"/);
    assert.match(html, /data-comment-id="[0-9a-f]{24}"/);
    // A member's name links to their profile.
    assert.match(html, /<a class="author" data-role="comment-author" href="\/members\/[0-9a-f]{24}">Ana<\/a>/);
    assert.match(html, /<a href="https:\/\/example\.org\/queen" rel="nofollow ugc noopener" target="_blank">https:\/\/example\.org\/queen<\/a>\./);
  });

  it("shows comments' times as dates, which a kept page cannot let go stale (the script makes them relative)", async () => {
    const html = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    const times = [...html.matchAll(/<time dateTime="([^"]+)"[^>]*>([^<]*)<\/time>/gi)].map((m) => [m[1], m[2]]);
    assert.ok(times.length >= 2, 'each comment has its time');
    for (const [iso, text] of times) assert.equal(text, `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
    assert.doesNotMatch(html, /just now/);
  });

  it('escapes user text: a comment with markup stays text', async () => {
    const html = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.ok(html.includes('&lt;script>window.pwned=1&lt;/script>&lt;img src=x onerror=alert(1)> javascript:alert(1)'));
    assert.ok(!html.includes('<script>window.pwned'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(!/href="javascript:/i.test(html));
    // The JSON island for the browser cannot be closed by user text either.
    const island = /<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(island);
    assert.ok(JSON.parse(island[1]).page.items.some((c: { body: string }) => c.body.startsWith('<script>')));
  });

  it("tells the page's script the thread's newest comment (where its catch-up starts), whichever page it shows", async () => {
    const song = await createSong(forum.deps, admin, { title: 'Newest Marker', artist: 'Queen' });
    const ids: string[] = [];
    for (const body of ['one', 'two', 'three']) ids.push((await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, song.slug, { body })).comment.id);
    const newestOn = async (path: string) => {
      const html = (await forum.agent().get(path).expect(200)).text;
      return (JSON.parse(/<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(html)![1]) as { newestId: string | null }).newestId;
    };
    for (const path of [`/songs/${song.slug}`, `/songs/${song.slug}?sort=newest`, `/songs/${song.slug}?sort=top`, `/songs/${song.slug}/c/${ids[1]}`]) {
      assert.equal(await newestOn(path), ids[2], path);
    }
    // A removed comment stays in the thread as a placeholder, and still marks where the thread stands.
    await member.agent.delete(`/api/comments/${ids[2]}`).expect(204);
    assert.equal(await newestOn(`/songs/${song.slug}`), ids[2]);
    const empty = await createSong(forum.deps, admin, { title: 'No Comments Yet', artist: 'Queen' });
    assert.equal(await newestOn(`/songs/${empty.slug}`), null);
    assert.equal(await newestOn(`/songs/${empty.slug}?sort=top`), null);
  });

  it('sends a strict Content-Security-Policy with the pages and links only self-hosted, hashed assets', async () => {
    const res = await forum.agent().get(`/songs/${slug}`).expect(200);
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    // Its one inline script (unfolding the facts on a wide screen, on a song with more than three) runs by its hash.
    const many = await createSong(forum.deps, admin, { title: 'Many Facts', artist: 'Tester', facts: ['One.', 'Two.', 'Three.', 'Four.'] });
    const page = await forum.agent().get(`/songs/${many.slug}`).expect(200);
    const inline = [...page.text.matchAll(/<script(?![^>]*\b(?:src|type)=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(inline.length, 1, 'one inline script');
    const allowed = `'sha256-${createHash('sha256').update(inline[0]).digest('base64')}'`;
    assert.ok(String(page.headers['content-security-policy']).split(';').find((d) => d.trim().startsWith('script-src'))!.includes(allowed), 'allowed by its hash');
    assert.doesNotMatch(res.text, /<script(?![^>]*\b(?:src|type)=)[^>]*>/, 'none on a song whose facts need no fold');
    const js = /<script type="module" src="(\/build\/app-[A-Z0-9]+\.js)"><\/script>/.exec(res.text);
    assert.ok(js, 'the song page links its script');
    assert.doesNotMatch(res.text, /style="/);
    const asset = await forum.agent().get(js[1]).set('accept-encoding', 'br, gzip').expect(200);
    assert.equal(asset.headers['content-encoding'], 'br');
    assert.match(asset.headers['cache-control'], /max-age=31536000, immutable/);
    const gz = await forum.agent().get(js[1]).set('accept-encoding', 'gzip').expect(200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
  });

  it('answers an unknown song and an unknown page with an HTML 404, and keeps API 404s JSON', async () => {
    const res = await forum.agent().get('/songs/no-such-song').expect(404);
    assert.match(res.headers['content-type'], /html/);
    assert.match(res.text, /Not found/);
    assert.match(res.text, /could not find that song/);
    // A comment that is not there, under a song that is: the page says which was missing.
    const comment = await forum.agent().get(`/songs/${slug}/c/000000000000000000000000`).expect(404);
    assert.match(comment.text, /could not find that comment/);
    await forum.agent().get('/nowhere/at-all').expect(404).expect('content-type', /html/);
    const api = await forum.agent().get('/api/nowhere').expect(404);
    assert.equal(api.body.error.code, 'NOT_FOUND');
  });

  it('offers no report form on a member\'s own comment without JavaScript, saying why; others\' comments have one', async () => {
    const mine = (await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Mine to keep' })).comment;
    const other = await signUp(forum, { displayName: 'Bea' });
    const page = async (who: typeof member) => (await who.agent.get(`/songs/${slug}/c/${mine.id}/report`).expect(200)).text;
    const own = await page(member);
    assert.match(own, /data-role="own-comment">This is your own comment/);
    assert.doesNotMatch(own, /name="reason"/);
    assert.match(await page(other), /<form method="post" action="[^"]+\/report" class="flag-form">/);
  });

  it('lets a member edit and delete their own comment without JavaScript, from their profile, and nobody else\'s', async () => {
    const mine = (await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'First thoughts, typed in haste' })).comment;
    const at = `/songs/${slug}/c/${mine.id}`;
    const stored = async () => ((await forum.agent().get(`/api/songs/${slug}/comments?sort=newest&limit=50`).expect(200)).body.items as CommentDTO[]).find((c) => c.id === mine.id)!;
    // Their own profile links to both; the same profile seen by anyone else does not.
    const profile = (await member.agent.get(`/users/${member.user.username}`).expect(200)).text;
    assert.ok(profile.includes(`<a href="${at}/edit">Edit<span class="sr-only"> your comment on Bohemian Rhapsody</span></a>`));
    assert.ok(profile.includes(`<a href="${at}/delete">Delete<span class="sr-only"> your comment on Bohemian Rhapsody</span></a>`));
    assert.doesNotMatch((await forum.agent().get(`/users/${member.user.username}`).expect(200)).text, /data-role="own-actions"/);
    // So does the report page of their own comment (the thread without script offers Report on every comment).
    assert.match((await member.agent.get(`${at}/report`).expect(200)).text, new RegExp(`<a href="${at}/edit">edit it</a> or <a href="${at}/delete">delete it</a>`));

    const form = (await member.agent.get(`${at}/edit`).expect(200)).text;
    assert.match(form, /<textarea id="edit-body" name="body"[^>]*>First thoughts, typed in haste<\/textarea>/);
    const empty = await member.agent.post(`${at}/edit`).type('form').send({ body: '  ' }).expect(400);
    assert.match(empty.text, /<title>Check the form: Edit your comment · Chorus<\/title>/);
    assert.match(empty.text, /<span class="field-error" id="edit-error">Your comment is required.<\/span>/);
    const saved = await member.agent.post(`${at}/edit`).type('form').send({ body: 'Second thoughts, <b>calmer</b>' }).expect(303);
    assert.equal(saved.headers.location, `${at}#c-${mine.id}`);
    const shown = await stored();
    assert.equal(shown.body, 'Second thoughts, <b>calmer</b>');
    assert.equal(shown.editedBy, 'author');

    // Someone else's comment has no such page, nor does a reader get one: they are sent to sign in.
    const bea = await signUp(forum, { displayName: 'Bea' });
    await bea.agent.get(`${at}/edit`).expect(404);
    await bea.agent.post(`${at}/delete`).type('form').send({}).expect(404);
    assert.equal((await forum.agent().get(`${at}/delete`).expect(303)).headers.location, `/login?next=${encodeURIComponent(`${at}/delete`)}`);
    assert.equal((await stored()).status, 'visible');

    // Past the edit window the page says so instead of offering the form, and a sent form is refused in words.
    await forum.deps.db.conn.collection('comments').updateOne({ _id: new (await import('mongoose')).default.Types.ObjectId(mine.id) }, { $set: { createdAt: new Date(Date.now() - 24 * 3600_000) } });
    assert.match((await member.agent.get(`${at}/edit`).expect(200)).text, /data-role="edit-closed">The edit window has closed/);
    assert.match((await member.agent.post(`${at}/edit`).type('form').send({ body: 'Too late' }).expect(403)).text, /The edit window has closed/);
    assert.doesNotMatch((await member.agent.get(`/users/${member.user.username}`).expect(200)).text, new RegExp(`href="${at}/edit"`));

    assert.match((await member.agent.get(`${at}/delete`).expect(200)).text, /<h1 id="page-title">Delete your comment\?<\/h1>/);
    const gone = await member.agent.post(`${at}/delete`).type('form').send({}).expect(303);
    assert.equal(gone.headers.location, `${at}#c-${mine.id}`);
    assert.equal((await stored()).status, 'removed');
    // Sent again (a reload): the same landing, nothing else changes.
    assert.equal((await member.agent.post(`${at}/delete`).type('form').send({}).expect(303)).headers.location, `${at}#c-${mine.id}`);
    await member.agent.get(`${at}/edit`).expect(404);
  });

  it('answers a bad thread cursor with an HTML error page, never a stack trace', async () => {
    const res = await forum.agent().get(`/songs/${slug}?cursor=not-a-cursor`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(res.headers['content-type'], /html/);
    assert.doesNotMatch(res.text, /at .*\.tsx?:\d+|Error:|node_modules/);
  });

  it('lists recent discussions on / and searches them', async () => {
    const home = await forum.agent().get('/').expect(200);
    assert.match(home.text, new RegExp(`href="/songs/${slug}"`));
    assert.match(home.text, /2 comments/);
    assert.match(home.text, /<label for="search-q">/);
    const none = await forum.agent().get('/?q=zzzz-nothing').expect(200);
    assert.doesNotMatch(none.text, new RegExp(`/songs/${slug}`));
    const hit = await forum.agent().get('/?q=rhapsody').expect(200);
    assert.match(hit.text, new RegExp(`/songs/${slug}`));
    assert.match(hit.text, /<title>Songs matching “rhapsody” · Chorus<\/title>/);
    // Control characters are not part of a search: none is echoed back into the page (nor the API's answer).
    const nul = await forum.agent().get('/?q=rhap%00sody%07').expect(200);
    assert.ok(!/[\u0000\u0007]/.test(nul.text), 'no control character in the page');
    assert.match(nul.text, new RegExp(`/songs/${slug}`));
    assert.equal((await forum.agent().get('/api/songs?q=%00').expect(200)).body.items.length > 0, true);
  });

  it('renders the login and register forms with a label for every field', async () => {
    const login = (await forum.agent().get('/login').expect(200)).text;
    assert.match(login, /<form method="post" action="\/login"/);
    assert.match(login, /<label for="f-username">/);
    assert.match(login, /<label for="f-password">/);
    const reg = (await forum.agent().get('/register').expect(200)).text;
    for (const f of ['username', 'password', 'displayName', 'location']) assert.match(reg, new RegExp(`<label for="f-${f}">`));
  });

  it('registers, logs out and logs in without JavaScript, with errors next to the field', async () => {
    const browser = forum.agent();
    const username = uniqueUsername('nojs');
    const bad = await browser.post('/register').type('form').send({ username: 'x', password: 'short' }).expect(400);
    assert.match(bad.text, /<span class="field-error" id="f-username-error">Username must be at least 3 characters\.<\/span>/);
    assert.match(bad.text, /id="f-password-error">Password must be at least 10 characters/);
    const ok = await browser.post('/register').type('form').send({ username, password: TEST_PASSWORD, displayName: 'No Script' }).expect(303);
    assert.equal(ok.headers.location, '/');
    assert.match((await browser.get('/').expect(200)).text, /Signed in as <strong>No Script<\/strong>/);
    const taken = await forum.agent().post('/register').type('form').send({ username, password: TEST_PASSWORD }).expect(409);
    assert.match(taken.text, /id="f-username-error">That username is taken/);

    await browser.post('/logout').expect(303);
    assert.doesNotMatch((await browser.get('/').expect(200)).text, /Signed in as/);
    const wrong = await browser.post('/login').type('form').send({ username, password: 'wrong password!!' }).expect(401);
    assert.match(wrong.text, /Wrong username or password\./);
    assert.match(wrong.text, new RegExp(`value="${username}"`));
    const back = await browser.post('/login').type('form').send({ username, password: TEST_PASSWORD, next: `/songs/${slug}` }).expect(303);
    assert.equal(back.headers.location, `/songs/${slug}`);
    const evil = await forum.agent().post('/login').type('form').send({ username, password: TEST_PASSWORD, next: '//evil.example/' }).expect(303);
    assert.equal(evil.headers.location, '/');
    assert.match((await browser.get(`/songs/${slug}`).expect(200)).text, /Signed in as <strong>No Script<\/strong>/);
  });

  it('posts a comment through the no-JavaScript form, once per form even when resubmitted', async () => {
    const page = (await member.agent.get(`/songs/${slug}`).expect(200)).text;
    assert.match(page, /<form data-role="comment-form"[^>]*method="post" action="\/songs\/[^"]+\/comments#post"/);
    const clientId = /name="clientId" value="([^"]+)"/.exec(page)![1];
    const posted = await member.agent.post(`/songs/${slug}/comments`).type('form').send({ body: 'Posted <b>without</b> script', clientId }).expect(303);
    // The poster lands on their comment's permalink: the page that holds it.
    assert.match(posted.headers.location, new RegExp(`^/songs/${slug}/c/([0-9a-f]{24})#c-\\1$`));
    await member.agent.post(`/songs/${slug}/comments`).type('form').send({ body: 'Posted <b>without</b> script', clientId }).expect(303);
    const after = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.equal(after.split('Posted &lt;b>without&lt;/b> script').length - 1, 1, 'once in the thread');
    const island = JSON.parse(/<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(after)![1]);
    assert.equal(island.page.items.filter((c: { body: string }) => c.body === 'Posted <b>without</b> script').length, 1);
  });

  it('votes without JavaScript as with it: the member sees their vote pressed, and pressing it again takes it back', async () => {
    const voter = await signUp(forum, { displayName: 'Bea' });
    const comment = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Vote on me without script.' });
    const id = comment.comment.id;
    /** The comment's plain vote buttons as the page shows them: [up pressed, down pressed]. */
    const pressed = (html: string) =>
      ['1', '-1'].map((value) => {
        const m = new RegExp(`action="/songs/${slug}/c/${id}/vote" class="vote-form"><input type="hidden" name="value" value="${value}"/><button type="submit" class="vote" aria-pressed="(true|false)"`).exec(html);
        assert.ok(m, `the page has the ${value} button`);
        return m[1] === 'true';
      });
    const score = async () => (await forum.agent().get(`/api/songs/${slug}/comments?sort=newest&limit=1`).expect(200)).body.items[0].score as number;
    /** Presses a button as the plain form does and follows the redirect: the page the member lands on. */
    const press = async (value: string) => {
      const res = await voter.agent.post(`/songs/${slug}/c/${id}/vote`).type('form').send({ value }).expect(303);
      assert.equal(res.headers.location, `/songs/${slug}/c/${id}?voted=1#c-${id}`);
      return (await voter.agent.get(res.headers.location.split('#')[0]).expect(200)).text;
    };

    assert.deepEqual(pressed((await voter.agent.get(`/songs/${slug}`).expect(200)).text), [false, false]);
    let page = await press('1');
    assert.deepEqual(pressed(page), [true, false]);
    assert.equal(await score(), 1);
    // The member's votes ride in their own block, never in the thread data every reader shares.
    assert.deepEqual(JSON.parse(/<script type="application\/json" id="viewer-data">([\s\S]*?)<\/script>/.exec(page)![1]).votes, { [id]: 1 });
    assert.doesNotMatch(/<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(page)![1], /"votes"/);
    page = await press('1');
    assert.deepEqual(pressed(page), [false, false]);
    assert.equal(await score(), 0);
    page = await press('-1');
    assert.deepEqual(pressed(page), [false, true]);
    assert.equal(await score(), -1);
    page = await press('1');
    assert.deepEqual(pressed(page), [true, false]);
    assert.equal(await score(), 1);
    // Another reader's page shows nothing pressed; the API still sets rather than toggles.
    assert.deepEqual(pressed((await forum.agent().get(`/songs/${slug}/c/${id}?voted=1`).expect(200)).text), [false, false]);
    await voter.agent.post(`/api/comments/${id}/votes`).send({ value: 1 }).expect(200);
    assert.equal(await score(), 1);
  });

  it('keeps the draft and shows the error when a no-JavaScript post fails', async () => {
    const res = await member.agent.post(`/songs/${slug}/comments`).type('form').send({ body: '   ' }).expect(400);
    assert.match(res.text, /<p class="form-error" id="new-comment-error" role="alert">Your comment is required.<\/p>/);
    const reader = await forum.agent().post(`/songs/${slug}/comments`).type('form').send({ body: 'My unsaved words' }).expect(401);
    assert.match(reader.text, /My unsaved words/);
  });

  it('keeps every link on a failed no-JavaScript post\'s page working', async () => {
    const res = await forum.agent().post(`/songs/${slug}/comments`).type('form').send({ body: 'Not signed in' }).expect(401);
    const hrefs = [...res.text.matchAll(/<nav class="sorts"[\s\S]*?<\/nav>/g)].flatMap((m) => [...m[0].matchAll(/href="([^"]+)"/g)].map((h) => h[1].replace(/&amp;/g, '&')));
    assert.equal(hrefs.length, 3);
    for (const href of hrefs) {
      // Resolved as the browser would, against the URL the page was rendered at.
      const u = new URL(href, `http://x/songs/${slug}/comments`);
      await forum.agent().get(u.pathname + u.search).expect(200);
    }
    const login = /<a href="(\/login\?next=[^"]+)">Log in<\/a> <a href="\/register\?next=[^"]+">/.exec(res.text);
    assert.ok(login, 'the header offers to log in');
    const next = decodeURIComponent(login[1].slice('/login?next='.length));
    assert.equal(next, `/songs/${slug}`);
    await forum.agent().get(next).expect(200);
  });

  it('offers readers a way to log in instead of a comment form when guests may not post', async () => {
    const html = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.doesNotMatch(html, /data-role="comment-form"/);
    assert.match(html, /href="\/login\?next=%2Fsongs%2F/);
  });
});

describe('pages with guest posting on and a public URL', () => {
  let forum: TestForum;
  let slug: string;
  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true', PUBLIC_URL: 'https://chorus.example', GUEST_MIN_FILL_SECONDS: '0' });
    slug = (await createSong(forum.deps, admin, { title: 'Guest Song', artist: 'Band' })).slug;
  });
  after(() => forum.close());

  it('lands the no-JavaScript poster on their comment in a thread longer than one page', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Long Thread', artist: 'Band' });
    // Many posters (one posting budget each), as a long thread has.
    for (let i = 1; i <= 55; i++) await postComment(forum.deps, { user: null, ip: `10.0.0.${i}`, guest: { name: `Guest ${i}` } }, song.slug, { body: `older ${i}` });
    const token = /name="formToken" value="([^"]+)"/.exec((await forum.agent().get(`/songs/${song.slug}`).expect(200)).text)?.[1];
    const posted = await forum.agent().post(`/songs/${song.slug}/comments`).type('form').send({ body: 'Where is my comment?', name: 'Late', formToken: token }).expect(303);
    const [path, anchor] = posted.headers.location.split('#');
    const html = (await forum.agent().get(path).expect(200)).text;
    assert.ok(html.includes(`id="${anchor}"`), 'the comment the redirect points at is on the page');
    assert.match(html, /Where is my comment\?/);
  });

  it('builds the canonical link from PUBLIC_URL', async () => {
    const html = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.match(html, new RegExp(`<link rel="canonical" href="https://chorus\\.example/songs/${slug}"/>`));
  });

  it('shows name and location fields and takes a guest post without JavaScript', async () => {
    const html = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.match(html, /<input id="new-comment-name" name="name"/);
    assert.match(html, /<input id="new-comment-location" name="location"/);
    const token = /name="formToken" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(token, 'the guests\' form carries its render time');
    await forum.agent().post(`/songs/${slug}/comments`).type('form').send({ body: 'Hello as a guest', name: 'Visitor', location: 'Porto', website: '', formToken: token }).expect(303);
    const after = (await forum.agent().get(`/songs/${slug}`).expect(200)).text;
    assert.match(after, /data-role="comment-author">Visitor<\/span><span class="badge guest" data-role="guest-label">guest<\/span><span class="location"> from Porto/);
  });
});
