import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import type { UserDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, type TestForum } from '../helpers/forum';
import { browserSuite, presenceBarrier, waitLive } from './browser';

const admin: UserDTO = { id: '000000000000000000000001', username: 'admin', displayName: 'Admin', location: null, role: 'admin', createdAt: new Date().toISOString() };

const XSS = ['<img src=x onerror="window.__pwned=1;alert(1)">', '<script>window.__pwned=2;alert(2)</script>', '[click](javascript:alert(3)) javascript:window.__pwned=3'];

const bodies = (page: Page) => page.$$eval('[data-role="thread"] [data-comment-id] [data-role="comment-body"]', (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
const heading = (page: Page) => page.innerText('#discussion-heading');
const announced = (page: Page) => page.innerText('[aria-live="polite"]');
/** Waits until the live region says exactly `text` (a burst of arrivals is said once, a moment after its first). */
const says = (page: Page, text: string | RegExp) =>
  page.waitForFunction(
    ([exact, source, flags]) => {
      const said = document.querySelector('[aria-live="polite"]')?.textContent?.trim() ?? '';
      return exact !== null ? said === exact : new RegExp(source, flags).test(said);
    },
    typeof text === 'string' ? ([text, '', ''] as const) : ([null, text.source, text.flags] as const),
    { timeout: 5000 },
  );

/** Waits for focus to rest on the control (by its text) or comment (`comment ID`) a reader would expect. */
async function focusIs(page: Page, expected: string): Promise<void> {
  const current = () => page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return a?.dataset.commentId ? `comment ${a.dataset.commentId}` : a?.tagName === 'BUTTON' ? (a.textContent ?? '').trim() : (a?.tagName ?? 'none');
  });
  // Focus moves in an effect after the render: wait for it (the assertion then tells where it went instead).
  const arrived = (want: string) => {
    const a = document.activeElement as HTMLElement | null;
    return (a?.dataset.commentId ? `comment ${a.dataset.commentId}` : a?.tagName === 'BUTTON' ? (a.textContent ?? '').trim() : (a?.tagName ?? 'none')) === want;
  };
  await page.waitForFunction(arrived, expected, { timeout: 5000 }).catch(() => {});
  assert.equal(await current(), expected);
}

/** The server hangs up on everyone (a restart would); the page shows the banner, then rejoins. */
async function dropAndRejoin(page: Page, forum: TestForum, whileAway: () => Promise<unknown>): Promise<void> {
  forum.io.disconnectSockets(true);
  await page.waitForSelector('.banner >> text=Reconnecting');
  await whileAway();
  await waitLive(page);
}

const countText = (page: Page, text: string) => page.$$eval('[data-role="thread"] [data-role="comment-body"]', (els, t) => els.filter((e) => (e as HTMLElement).innerText.trim() === t).length, text);

async function postThroughForm(page: Page, text: string): Promise<void> {
  await page.fill('form[data-role="comment-form"] textarea[name="body"]', text);
  await page.click('form[data-role="comment-form"] button[type="submit"]');
}

describe('browser: the live song page (Chromium)', function () {
  this.timeout(60_000);
  // Posting budget raised: the tests fill threads through the service faster than a person would post.
  const suite = browserSuite({ POSTING_LIMIT_PER_MINUTE: '1000' });
  let forum: TestForum;
  let browser: Browser;
  let slug: string;
  let ana: SignedUp;
  let ben: SignedUp;
  const open = suite.open;

  before(async () => {
    [forum, browser] = [suite.forum, suite.browser];
    const song = await createSong(forum.deps, admin, {
      title: 'Waterloo Sunset',
      artist: 'The Kinks',
      album: 'Something Else by the Kinks',
      year: 1967,
      charts: [{ region: 'UK', peak: 2 }],
      facts: ['Ray Davies first thought of calling it "Liverpool Sunset".', 'Terry and Julie were not, despite the rumour, Terence Stamp and Julie Christie.'],
    });
    slug = song.slug;
    ana = await signUp(forum, { displayName: 'Ana', location: 'Lisbon' });
    ben = await signUp(forum, { displayName: 'Ben' });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body: 'The best song about London.\n\nDiscuss: https://en.wikipedia.org/wiki/Waterloo_Sunset' });
  });

  // How long it takes is measured by npm run bench:browser (bench/browser/run.ts), not here.
  it('shows one reader a comment another posts through the form, live, once', async () => {
    const writer = await open({ cookie: ana.cookie });
    const reader = await open();
    await Promise.all([writer.page.goto(`/songs/${slug}`), reader.page.goto(`/songs/${slug}`)]);
    await Promise.all([waitLive(writer.page), waitLive(reader.page)]);
    await reader.page.waitForSelector('.presence', { timeout: 5000 });

    await writer.page.type('form[data-role="comment-form"] textarea[name="body"]', 'Sha');
    await reader.page.waitForSelector('.typing >> text=Ana is typing', { timeout: 5000 });
    await postThroughForm(writer.page, 'Sha-la-la, seen live from another browser');
    await reader.page.waitForFunction(() => [...document.querySelectorAll('[data-role="thread"] [data-comment-id] [data-role="comment-body"]')].some((e) => e.textContent?.includes('seen live from another browser')), undefined, { timeout: 5000 });
    await writer.page.waitForSelector('[data-role="thread"] [data-comment-id] >> text=seen live from another browser');
    // The live region announced it to screen readers, and focus never moved to the new comment.
    await says(reader.page, /New comment from Ana/);
    assert.equal(await reader.page.evaluate(() => document.activeElement?.tagName), 'BODY');
    // The writer's optimistic copy, the server's answer and the live echo reconcile into one comment: once the
    // answer is in and a later live event has reached both pages, a second copy would be on screen.
    await writer.page.waitForFunction(() => !document.querySelector('.comment.pending'));
    await presenceBarrier(forum, slug, [writer.page, reader.page]);
    assert.equal(await countText(writer.page, 'Sha-la-la, seen live from another browser'), 1);
    assert.equal(await countText(reader.page, 'Sha-la-la, seen live from another browser'), 1);
    assert.equal(await writer.page.inputValue('form[data-role="comment-form"] textarea[name="body"]'), '', 'the form is cleared after a post');
    const live = reader.page.locator('[data-comment-id]', { hasText: 'seen live from another browser' });
    assert.equal(await live.locator('[data-role="comment-author"]').innerText(), 'Ana');
    // The header's link to the discussion counts as the discussion's heading does, live.
    assert.equal(`Discussion (${await reader.page.innerText('[data-role="jump-count"]')})`, await reader.page.innerText('#discussion-heading'));
    // Times: the server's page shows dates (it may be served much later); the script shows them relative.
    assert.equal(await live.locator('time').first().innerText(), 'just now');
    const served = reader.page.locator('[data-comment-id]', { hasText: 'The best song about London.' }).locator('time').first();
    assert.match(await served.innerText(), /^(just now|\d+ (minutes?|hours?|days?) ago)$/);
  });

  it('shows a burst of new comments at the end to a reader there, all of it, and says it once', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Burst', artist: 'The Crowd' });
    const tall = (n: number) => `Comment ${n}, a tall one.\n\n${'A paragraph that takes a line of its own.\n\n'.repeat(6)}The end of ${n}.`;
    for (let i = 1; i <= 6; i++) await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: tall(i) });
    const reader = await open({ width: 1280 });
    await reader.page.goto(`/songs/${song.slug}`);
    await waitLive(reader.page);
    await reader.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    // Three at once: the first one's height alone takes the end of the thread out of the reader's window.
    await Promise.all([
      postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: tall(7) }),
      postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: tall(8) }),
      postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: tall(9) }),
    ]);
    await says(reader.page, /^3 new comments, from (Ana and Ben|Ben and Ana)\.$/);
    assert.equal((await bodies(reader.page)).length, 9);
    assert.equal(await reader.page.locator('button.new-comments').count(), 0, 'none of the burst waits behind the button');
  });

  it('holds new comments behind a "N new comments" button for a reader sorting newest, then shows them on request', async () => {
    const reader = await open();
    await reader.page.goto(`/songs/${slug}?sort=newest`);
    await waitLive(reader.page);
    const before = await bodies(reader.page);
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body: 'Waiting behind the button' });
    await reader.page.waitForSelector('button.new-comments >> text=Show 1 new comment');
    assert.deepEqual(await bodies(reader.page), before, 'nothing moves under the reader');
    await says(reader.page, '1 new comment.');
    await reader.page.click('button.new-comments');
    assert.equal((await bodies(reader.page))[0], 'Waiting behind the button');
    // The reader asked for them: focus goes to the first new comment.
    assert.equal(await reader.page.evaluate(() => document.activeElement?.querySelector('[data-role="comment-body"]')?.textContent), 'Waiting behind the button');
  });

  it('lets the author edit and delete, members vote and report, and every reader sees it live', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Lola', artist: 'The Kinks' });
    const mine = await postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: 'First draft of a thought' });
    const theirs = await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Ben says hello' });
    const author = await open({ cookie: ana.cookie });
    const reader = await open();
    await Promise.all([author.page.goto(`/songs/${song.slug}`), reader.page.goto(`/songs/${song.slug}`)]);
    await Promise.all([waitLive(author.page), waitLive(reader.page)]);
    const own = author.page.locator(`[data-comment-id="${mine.comment.id}"]`);
    const other = author.page.locator(`[data-comment-id="${theirs.comment.id}"]`);
    assert.equal(await other.locator('button', { hasText: 'Edit' }).count(), 0, 'no edit on someone else\'s comment');

    await own.locator('button', { hasText: 'Edit' }).click();
    await own.locator('textarea').fill('Second, better thought');
    await own.locator('button', { hasText: 'Save' }).click();
    await reader.page.waitForSelector(`[data-comment-id="${mine.comment.id}"] >> text=Second, better thought`);
    assert.match(await reader.page.innerText(`[data-comment-id="${mine.comment.id}"] .comment-meta`), /edited/);

    await other.getByRole('button', { name: 'Vote up' }).click();
    await reader.page.waitForSelector(`[data-comment-id="${theirs.comment.id}"] .score >> text=+1`);
    // The reader may see the vote before the voter's page has its answer: wait for the button to be pressed there.
    await author.page.waitForSelector(`[data-comment-id="${theirs.comment.id}"] button.vote[aria-label="Vote up"][aria-pressed="true"]`, { timeout: 5000 });

    await other.locator('button', { hasText: 'Report' }).click();
    await other.getByLabel('Why should a moderator look at this?').fill('Spam, I think');
    await other.locator('button', { hasText: 'Send report' }).click();
    await other.locator('text=Reported. Thank you.').waitFor();

    await other.locator('button', { hasText: 'Reply' }).click();
    await author.page.getByLabel('Reply to Ben').fill('Hello back, Ben');
    await other.locator('button', { hasText: 'Post reply' }).click();
    const nested = reader.page.locator(`li:has(> [data-comment-id="${theirs.comment.id}"]) > ol.replies [data-role="comment-body"]`);
    await nested.waitFor({ timeout: 5000 });
    assert.equal(await nested.innerText(), 'Hello back, Ben');

    await own.locator('button', { hasText: 'Delete' }).click();
    await own.locator('button', { hasText: 'Yes, delete' }).click();
    await reader.page.waitForSelector(`[data-comment-id="${mine.comment.id}"] >> text=This comment was removed.`);
    assert.doesNotMatch(await reader.page.innerText('[data-role="thread"]'), /better thought/);
  });

  /** A thread of 55 comments ("WORD 1" to "WORD 55") open at its first page of 50, oldest first, live. */
  async function openLongThread(title: string, word: string) {
    const song = await createSong(forum.deps, admin, { title, artist: 'The Kinks' });
    for (let i = 1; i <= 55; i++) await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: `${word} ${i}` });
    const w = await open();
    await w.page.goto(`/songs/${song.slug}`);
    await waitLive(w.page);
    assert.equal((await bodies(w.page)).length, 50);
    return { song, w };
  }

  it('switches sort without a reload and loads more comments by cursor', async () => {
    const { song, w } = await openLongThread('Sunny Afternoon', 'number');
    await w.page.click('text=Load more comments');
    await w.page.waitForFunction(() => document.querySelectorAll('[data-role="thread"] [data-comment-id]').length === 55);
    assert.deepEqual((await bodies(w.page)).slice(-2), ['number 54', 'number 55']);
    assert.equal(await w.page.locator('text=Load more comments').count(), 0);
    await w.page.click('nav.sorts >> text=Newest');
    await w.page.waitForFunction(() => document.querySelector('[data-role="thread"] [data-role="comment-body"]')?.textContent === 'number 55');
    assert.match(w.page.url(), /\?sort=newest$/);
    assert.equal(await w.page.getAttribute('nav.sorts a[aria-current]', 'href'), `/songs/${song.slug}?sort=newest`);
  });

  it('shows new comments past the pages not loaded yet (oldest first) without loading them, and in order once loaded', async () => {
    const { song, w } = await openLongThread('Dead End Street', 'street');
    const pageReads: string[] = [];
    w.page.on('request', (r) => {
      if (/\/api\/songs\/[^/]+\/comments\?/.test(r.url())) pageReads.push(r.url());
    });
    await postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: 'New while page one is read' });
    await w.page.click('button.new-comments >> text=Show 1 new comment');
    await w.page.waitForFunction(() => document.querySelectorAll('[data-role="thread"] [data-comment-id]').length === 51);
    // At once, past the gap, with "Load more" before it: none of the five comments in between was fetched.
    assert.equal((await bodies(w.page)).at(-1), 'New while page one is read');
    assert.equal(await w.page.evaluate(() => document.querySelector('[data-role="thread-gap"]')?.nextElementSibling?.querySelector('[data-role="comment-body"]')?.textContent), 'New while page one is read');
    assert.equal(await w.page.evaluate(() => document.activeElement?.querySelector('[data-role="comment-body"]')?.textContent), 'New while page one is read');
    assert.deepEqual(pageReads, []);
    await w.page.click('[data-role="thread-gap"] >> text=Load more comments');
    await w.page.waitForFunction(() => document.querySelectorAll('[data-role="thread"] [data-comment-id]').length === 56);
    assert.deepEqual((await bodies(w.page)).slice(-3), ['street 54', 'street 55', 'New while page one is read']);
    assert.equal(await w.page.locator('[data-role="thread-gap"]').count(), 0);
    assert.match(await heading(w.page), /Discussion \(56\)/);
  });

  it('opens a comment\'s address given without its #c-ID at that comment, marked and focused', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Plastic Man', artist: 'The Kinks', facts: ['One.', 'Two.', 'Three.'] });
    const made = [];
    for (let i = 1; i <= 12; i++) made.push((await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: `plastic ${i}` })).comment);
    const linked = made[8];
    const w = await open();
    await w.page.goto(`/songs/${song.slug}/c/${linked.id}`);
    await waitLive(w.page);
    await w.page.waitForURL(new RegExp(`/songs/${song.slug}/c/${linked.id}#c-${linked.id}$`));
    const where = await w.page.evaluate(() => {
      const t = document.querySelector(':target') as HTMLElement | null;
      const r = t?.getBoundingClientRect();
      return { target: t?.dataset.commentId, focused: (document.activeElement as HTMLElement | null)?.dataset.commentId, inView: !!r && r.top >= 0 && r.top < innerHeight };
    });
    assert.deepEqual(where, { target: linked.id, focused: linked.id, inView: true });
    // Going back leaves the page: opening it at the comment added no step to the history.
    assert.equal(await w.page.evaluate(() => history.length), 2);
  });

  it('keeps XSS payloads as text and never runs them, server-rendered and live', async () => {
    for (const body of XSS) await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body });
    const reader = await open();
    await reader.page.goto(`/songs/${slug}`);
    await waitLive(reader.page);
    const shown = await bodies(reader.page);
    for (const body of XSS) assert.ok(shown.includes(body), `shown as text: ${body}`);
    const writer = await open({ cookie: ana.cookie });
    await writer.page.goto(`/songs/${slug}`);
    await waitLive(writer.page);
    await reader.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const live = '<svg onload="window.__pwned=4;alert(4)"></svg> <a href="javascript:alert(5)">x</a>';
    await postThroughForm(writer.page, live);
    await reader.page.waitForFunction((t) => [...document.querySelectorAll('[data-role="comment-body"]')].some((e) => e.textContent?.includes(t)), live, { timeout: 5000 });
    // Both pages have rendered the comment and whatever came with it, and its elements, had any been made, were inserted.
    await writer.page.waitForFunction(() => !document.querySelector('.comment.pending'));
    await presenceBarrier(forum, slug, [reader.page, writer.page]);
    for (const w of [reader, writer]) {
      assert.equal(await w.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.equal(await w.page.$$eval('[data-role="thread"] img, [data-role="thread"] script, [data-role="thread"] svg', (els) => els.length), 0);
      const hrefs = await w.page.$$eval('[data-role="thread"] [data-role="comment-body"] a[href]', (els) => els.map((a) => a.getAttribute('href') ?? ''));
      assert.ok(hrefs.every((h) => /^https?:\/\//.test(h)), `only http(s) links from comment text: ${hrefs.join(' ')}`);
    }
    const link = reader.page.locator('[data-role="comment-body"] a[href^="https://en.wikipedia.org"]');
    assert.equal(await link.getAttribute('rel'), 'nofollow ugc noopener');
  });

  it('reads and posts with JavaScript off: facts, comments and the plain form', async () => {
    const w = await open({ cookie: ana.cookie, javaScriptEnabled: false });
    await w.page.goto(`/songs/${slug}`);
    assert.match(await w.page.innerText('.facts'), /Liverpool Sunset/);
    assert.ok((await bodies(w.page)).some((b) => b.startsWith('The best song about London.')));
    const when = await w.page.locator('[data-comment-id] time').first().innerText();
    assert.match(when, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/, 'without the script, a date that cannot go stale');
    await postThroughForm(w.page, 'Posted with JavaScript switched off');
    await w.page.waitForURL(/\/songs\/[^#]+#c-[0-9a-f]{24}$/);
    assert.equal(await countText(w.page, 'Posted with JavaScript switched off'), 1);
    assert.match(await w.page.innerText('header.site-header'), /Signed in as Ana/);

    // A vote button pressed without script shows pressed on the page the member lands on; pressed again, it lets go.
    await w.page.goto(`/songs/${slug}`);
    const ben = w.page.locator('[data-comment-id]', { hasText: 'The best song about London.' }).first();
    const up = () => ben.getByRole('button', { name: 'Vote up' });
    const score = async () => Number((await ben.locator('.score').first().innerText()).replace(/[^-\d]/g, ''));
    const before = await score();
    await up().click();
    await w.page.waitForURL(/\?voted=1#c-/);
    assert.equal(await up().getAttribute('aria-pressed'), 'true');
    assert.equal(await score(), before + 1);
    await up().click();
    await w.page.waitForURL(/\?voted=1#c-/);
    assert.equal(await up().getAttribute('aria-pressed'), 'false');
    assert.equal(await score(), before);
  });

  it('posts by keyboard alone: Tab to the comment box, type, Tab to the button, Enter', async () => {
    const quiet = await createSong(forum.deps, admin, { title: 'Days', artist: 'The Kinks', facts: ['Thank you for the days.'] });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, quiet.slug, { body: 'One comment to Tab past.' });
    const w = await open({ cookie: ana.cookie });
    await w.page.goto(`/songs/${quiet.slug}`);
    await waitLive(w.page);
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await w.page.keyboard.press('Tab');
      reached = await w.page.evaluate(() => document.activeElement?.matches('form[data-role="comment-form"] textarea[name="body"]') ?? false);
    }
    assert.ok(reached, 'the comment box is reachable by Tab');
    await w.page.keyboard.type('Typed and sent from the keyboard');
    await w.page.keyboard.press('Tab');
    assert.equal(await w.page.evaluate(() => document.activeElement?.textContent), 'Post comment');
    await w.page.keyboard.press('Enter');
    await w.page.waitForSelector('[data-comment-id] >> text=Typed and sent from the keyboard');
    await w.page.waitForFunction(() => !document.querySelector('.comment.pending'));
    assert.equal(await countText(w.page, 'Typed and sent from the keyboard'), 1);
  });

  it('keeps the draft and shows the API error when a post fails', async () => {
    const w = await open({ cookie: ana.cookie });
    await w.page.goto(`/songs/${slug}`);
    await waitLive(w.page);
    const tooLong = 'x'.repeat(5001);
    // Past the textarea's own maxlength, as a paste through a script would be: the API refuses it.
    await w.page.$eval('form[data-role="comment-form"] textarea[name="body"]', (el) => el.removeAttribute('maxlength'));
    await w.page.fill('form[data-role="comment-form"] textarea[name="body"]', tooLong);
    await w.page.click('form[data-role="comment-form"] button[type="submit"]');
    await w.page.waitForSelector('form[data-role="comment-form"] .form-error');
    assert.match(await w.page.innerText('form[data-role="comment-form"] .form-error'), /at most 5000 characters/);
    assert.equal((await w.page.inputValue('form[data-role="comment-form"] textarea[name="body"]')).length, 5001);
    assert.equal(await w.page.$$eval('.comment.pending', (els) => els.length), 0);
    // The refused post leaves a 400 in the console by design of the browser; it is the answer we asked for.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 400/.test(p)));
  });

  it('shows a reconnecting banner on a dropped connection and catches up after it', async () => {
    const reader = await open();
    await reader.page.goto(`/songs/${slug}`);
    await waitLive(reader.page);
    await reader.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    // The server hangs up on everyone (a restart would): the reader shows the banner, then rejoins.
    forum.io.disconnectSockets(true);
    await reader.page.waitForSelector('.banner >> text=Reconnecting');
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body: 'Posted while you were away' });
    await waitLive(reader.page);
    await reader.page.waitForFunction(() => [...document.querySelectorAll('[data-role="comment-body"]')].some((e) => e.textContent?.includes('Posted while you were away')), undefined, { timeout: 8000 });
    assert.equal(await countText(reader.page, 'Posted while you were away'), 1);
    assert.equal(await reader.page.$$eval('.banner', (els) => els.length), 0);
  });

  it('catches up what it missed though a comment arrives live between its rejoining and the join\'s answer', async () => {
    // Found by the chaos run's readers, which follow the browser's logic: the catch-up started after the comment that
    // arrived live in that window, so everything posted during the drop stayed missing.
    const song = await createSong(forum.deps, admin, { title: 'Dead End Street', artist: 'The Kinks' });
    const say = (body: string) => postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body });
    await say('Before the drop');
    const reader = await open();
    await reader.page.goto(`/songs/${song.slug}`);
    await waitLive(reader.page);
    await reader.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    forum.io.disconnectSockets(true);
    await reader.page.waitForSelector('.banner >> text=Reconnecting');
    await say('Posted during the drop');
    const watcher = forum.socket();
    await connected(watcher);
    assert.equal((await emitAck(watcher, 'thread:join', { slug: song.slug })).ok, true);
    // The page's next join is answered only once a comment posted meanwhile has gone out to the room it just joined.
    let armed = true;
    const holdJoin = (socket: { use(fn: (packet: unknown[], next: (err?: Error) => void) => void): void }) =>
      socket.use((packet, next) => {
        const answer = packet[packet.length - 1];
        if (armed && packet[0] === 'thread:join' && typeof answer === 'function') {
          armed = false;
          packet[packet.length - 1] = (reply: unknown) => {
            const sent = nextEvent(watcher, 'comment:created');
            void say('Posted as it rejoined').then(() => sent).then(() => answer(reply));
          };
        }
        next();
      });
    forum.io.on('connection', holdJoin);
    try {
      await waitLive(reader.page);
      await reader.page.waitForFunction(() => [...document.querySelectorAll('[data-role="comment-body"]')].some((e) => e.textContent?.includes('Posted as it rejoined')), undefined, { timeout: 8000 });
      // Barrier: a later comment arrives after whatever the catch-up brought.
      await say('After it all');
      await reader.page.waitForFunction(() => [...document.querySelectorAll('[data-role="comment-body"]')].some((e) => e.textContent?.includes('After it all')), undefined, { timeout: 8000 });
      assert.equal(armed, false, 'the join was held');
      // Every comment, once (a caught-up comment joins the end, after the one that arrived live).
      assert.deepEqual((await bodies(reader.page)).sort(), ['After it all', 'Before the drop', 'Posted as it rejoined', 'Posted during the drop']);
    } finally {
      forum.io.off('connection', holdJoin);
      watcher.disconnect();
    }
  });

  it('shows a comment posted between the page\'s render and its first connection', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Days', artist: 'The Kinks' });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Already here' });
    const reader = await open();
    // The page is rendered; a comment lands while its script is still on the way (a slow network would do).
    await reader.page.route(/\/build\/app-[^/]+\.js$/, async (route) => {
      await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Posted before the script connected' });
      await route.continue();
    });
    await reader.page.goto(`/songs/${song.slug}?sort=newest`);
    await waitLive(reader.page);
    await reader.page.waitForSelector('button.new-comments >> text=Show 1 new comment', { timeout: 5000 });
    assert.match(await heading(reader.page), /Discussion \(2\)/);
    await reader.page.click('button.new-comments');
    assert.deepEqual(await bodies(reader.page), ['Posted before the script connected', 'Already here']);
  });

  it('catches up a long thread after a restart with only the comments missed, sorted any way, and counts them right', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Autumn Almanac', artist: 'The Kinks' });
    for (let i = 1; i <= 61; i++) await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: `almanac ${i}` });
    const reader = await open();
    await reader.page.goto(`/songs/${song.slug}`);
    await waitLive(reader.page);
    assert.equal((await bodies(reader.page)).length, 50);
    await dropAndRejoin(reader.page, forum, async () => {
      for (const n of [1, 2, 3]) await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: `missed ${n}` });
    });
    await reader.page.waitForSelector('button.new-comments >> text=Show 3 new comments', { timeout: 8000 });
    // Nothing counted twice: the count still stands once a later live event has come through.
    await presenceBarrier(forum, song.slug, [reader.page]);
    assert.equal(await reader.page.innerText('button.new-comments'), 'Show 3 new comments');
    assert.match(await heading(reader.page), /Discussion \(64\)/);
    // Missed comments arrive together: the live region counts all of them, not the first again and again.
    await says(reader.page, '3 new comments.');

    // Another sort keeps the place the next catch-up starts from.
    await reader.page.click('nav.sorts >> text=Top');
    await reader.page.waitForFunction(() => document.querySelector('nav.sorts a[aria-current]')?.textContent === 'Top');
    await dropAndRejoin(reader.page, forum, () => postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'missed 4' }));
    await reader.page.waitForSelector('button.new-comments >> text=Show 1 new comment', { timeout: 8000 });
    await presenceBarrier(forum, song.slug, [reader.page]);
    assert.equal(await reader.page.innerText('button.new-comments'), 'Show 1 new comment');
    assert.match(await heading(reader.page), /Discussion \(65\)/);
  });

  it('catches up a comment announced after later ones (a post cut short, announced by its retry) after a drop', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Victoria', artist: 'The Kinks' });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'The first' });
    const reader = await open();
    await reader.page.goto(`/songs/${song.slug}`);
    await waitLive(reader.page);
    // A post cut short: stored at its position, never announced (its forum died before it could) ...
    const author = { name: ben.user.displayName, location: null, userId: ben.user.id };
    const fields = { parentId: null, author, body: 'Cut short, said late', clientId: null, status: 'visible' as const, heldFor: [], guestTokenHash: null };
    await forum.deps.threads.insertAtNextPosition({ _id: new mongoose.Types.ObjectId(song.id) }, fields, `cut-short-${song.id}`, new mongoose.Types.ObjectId());
    // ... while a later one is announced and arrives live: "after the last comment received" would start past the first.
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Later, said at once' });
    await reader.page.waitForFunction(() => document.body.innerText.includes('Later, said at once'), undefined, { timeout: 8000 });
    await dropAndRejoin(reader.page, forum, async () => undefined);
    await reader.page.waitForFunction(() => /Discussion \(3\)/.test(document.getElementById('discussion-heading')?.textContent ?? ''), undefined, { timeout: 8000 });
    const shown = await reader.page.$('button.new-comments');
    if (shown) await shown.click();
    assert.deepEqual((await bodies(reader.page)).sort(), ['Cut short, said late', 'Later, said at once', 'The first']);
  });

  it('keeps keyboard focus on the comment when its controls change', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Death of a Clown', artist: 'The Kinks' });
    const mine = await postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: 'Mine to change' });
    const theirs = await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Ben again' });
    const { page } = await open({ cookie: ana.cookie });
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    const own = page.locator(`[data-comment-id="${mine.comment.id}"]`);
    const other = page.locator(`[data-comment-id="${theirs.comment.id}"]`);
    const button = (where: typeof own, name: string) => where.getByRole('button', { name, exact: true });

    for (const [where, opener] of [[own, 'Edit'], [own, 'Reply to Ana'], [other, 'Report']] as const) {
      await button(where, opener).click();
      await button(where, 'Cancel').click();
      await focusIs(page, opener);
    }
    await button(own, 'Delete').click();
    await focusIs(page, 'Keep it');
    await button(own, 'Keep it').click();
    await focusIs(page, 'Delete');

    await button(own, 'Edit').click();
    await own.locator('textarea').fill('Changed it');
    await button(own, 'Save').click();
    await focusIs(page, 'Edit');
    await button(other, 'Reply to Ben').click();
    await page.getByLabel('Reply to Ben').fill('A reply, then back where I was');
    await button(other, 'Post reply').click();
    await focusIs(page, 'Reply to Ben');
    await button(own, 'Delete').click();
    await button(own, 'Yes, delete').click();
    await own.locator('text=This comment was removed.').waitFor();
    // No controls are left in its place: the comment itself holds focus.
    await focusIs(page, `comment ${mine.comment.id}`);
  });

  it('keeps a reply\'s draft when its form is closed and opened again, and says when the reply is posted', async () => {
    const { comment } = await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body: 'Reply to me, draft and all' });
    const { page } = await open({ cookie: ana.cookie });
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    const card = page.locator(`[data-comment-id="${comment.id}"]`);
    const thread = page.locator(`li:has(> [data-comment-id="${comment.id}"])`);
    await card.getByRole('button', { name: 'Reply to Ben', exact: true }).click();
    // The form takes the focus as it opens: type once it has (on a loaded machine the keys could land on the button).
    await page.waitForFunction((id) => !!document.activeElement?.matches(`[data-comment-id="${id}"] form[data-role="reply-form"] textarea`), comment.id);
    await page.keyboard.type('Half of what I meant');
    await page.keyboard.press('Escape');
    await card.locator('form[data-role="reply-form"]').waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Reply to Ben', exact: true }).click();
    const box = card.locator('form[data-role="reply-form"] textarea');
    assert.equal(await box.inputValue(), 'Half of what I meant');
    await box.fill('All of what I meant');
    await card.locator('form[data-role="reply-form"] button[type="submit"]').click();
    await thread.locator('ol.replies [data-role="comment-body"]', { hasText: 'All of what I meant' }).waitFor();
    await page.waitForFunction(() => /Your reply was posted\./.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    // Posted, the draft is spent: the next reply starts empty.
    await card.getByRole('button', { name: 'Reply to Ben', exact: true }).click();
    assert.equal(await box.inputValue(), '');
  });

  it('stays signed in when the member logs in again in another tab, and keeps their draft when they log out there', async () => {
    const cat = await signUp(forum, { displayName: 'Cat' });
    const w = await open({ cookie: cat.cookie });
    const { page } = w;
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    const box = page.locator('form[data-role="comment-form"] textarea[name="body"]');
    await box.fill('A thought in progress');
    // Logging in again in a second tab renews the browser's session id, which ends this page's session: the page asks
    // who the browser is now, finds the same member, and goes on as them once its socket is back.
    // (A login form opened in it earlier, say: the browser's requests share its cookies.)
    const login = await w.context.request.post('/api/auth/login', { data: { username: cat.user.username, password: cat.password } });
    assert.equal(login.status(), 200);
    const tab = await w.context.newPage();
    await tab.goto('/');
    await page.waitForSelector('section.discussion[data-state="reconnecting"]');
    await waitLive(page);
    assert.equal(await page.locator('[data-role="signed-out-notice"]').count(), 0);
    assert.match(await page.innerText('.site-nav'), /Signed in as Cat/);
    assert.equal(await box.inputValue(), 'A thought in progress');

    // Logged out in that tab: guests may not post here, yet the form and its draft stay, and posting says what to do.
    await Promise.all([tab.waitForURL('**/'), tab.getByRole('button', { name: 'Log out' }).click()]);
    await page.locator('[data-role="signed-out-notice"]', { hasText: 'You were logged out' }).waitFor();
    assert.match(await page.innerText('.site-nav'), /Log in\s+Register/);
    assert.equal(await box.inputValue(), 'A thought in progress');
    await page.click('form[data-role="comment-form"] button[type="submit"]');
    await page.locator('form[data-role="comment-form"] [role="alert"]', { hasText: 'Sign in to post.' }).waitFor();
    assert.equal(await box.inputValue(), 'A thought in progress');
    // The refused post was answered 401 by design; the browser logs any such answer.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 401/.test(p)));
  });

  it('wraps long unbroken words in the song\'s details and facts at 320 px', async () => {
    const long = 'Taumatawhakatangihangakoauauotamateaturipukakapikimaungahoronukupokaiwhenuakitanatahu';
    const song = await createSong(forum.deps, admin, { title: 'Long Words', artist: 'The Kinks', album: long, year: 1968, facts: [`Named after ${long}.`] });
    const narrow = await open({ width: 320 });
    await narrow.page.goto(`/songs/${song.slug}`);
    await waitLive(narrow.page);
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 320 px (overflow ${overflow}px)`);
    assert.ok(await narrow.page.locator('.song-details dd', { hasText: 'Taumata' }).isVisible());
  });

  it('reads well at 320 px and saves a screenshot of the song page', async () => {
    const song = await createSong(forum.deps, admin, {
      title: '"Heroes"',
      artist: 'David Bowie',
      album: '"Heroes"',
      year: 1977,
      charts: [{ region: 'UK', peak: 12 }, { region: 'US', peak: 40 }],
      facts: [
        'Bowie recorded it at Hansa Studios in West Berlin, a few hundred metres from the Wall.',
        'Robert Fripp played the guitar feedback in a single afternoon.\n\nTony Visconti placed three microphones at different distances from Bowie, opening each in turn as he sang louder.',
      ],
    });
    const cleo = await signUp(forum, { displayName: 'Cleo', location: 'Berlin' });
    const first = await postComment(forum.deps, { user: cleo.user, ip: '127.0.0.1' }, song.slug, { body: 'I live two streets from Hansa. Every time I walk past I hear that guitar.' });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, song.slug, { body: 'Same! The Wall is gone, the song stays.', parentId: first.comment.id });
    await postComment(forum.deps, { user: ana.user, ip: '127.0.0.1' }, song.slug, { body: 'The three-microphone trick is explained here: https://en.wikipedia.org/wiki/%22Heroes%22_(David_Bowie_song)' });

    const narrow = await open({ width: 320 });
    await narrow.page.goto(`/songs/${song.slug}`);
    await waitLive(narrow.page);
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 320 px (overflow ${overflow}px)`);
    mkdirSync('test-results', { recursive: true });
    await narrow.page.screenshot({ path: 'test-results/song-page-320.png', fullPage: true });

    const wide = await open({ cookie: ana.cookie });
    await wide.page.goto(`/songs/${song.slug}`);
    await waitLive(wide.page);
    // Replies sit inside their parent's list.
    assert.equal(await wide.page.locator('.replies [data-role="comment-body"]').innerText(), 'Same! The Wall is gone, the song stays.');
    await wide.page.screenshot({ path: 'test-results/song-page.png', fullPage: true });
    const unlabelled = await wide.page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
      els.filter((el) => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, [], 'every field has a label');
    for (const landmark of ['header', 'main', 'nav', 'footer']) assert.equal(await wide.page.$$eval(landmark, (els) => els.length > 0), true, landmark);
  });
});

describe('browser: guest posting (Chromium)', function () {
  this.timeout(60_000);
  const suite = browserSuite({ GUEST_POSTING: 'true' });
  let forum: TestForum;
  before(() => (forum = suite.forum));

  it('lets a guest post with a name and location, shown at once and live to others', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Victoria', artist: 'The Kinks' });
    const guest = await suite.open();
    const reader = await suite.open();
    await Promise.all([guest.page.goto(`/songs/${song.slug}`), reader.page.goto(`/songs/${song.slug}`)]);
    await Promise.all([waitLive(guest.page), waitLive(reader.page)]);
    await guest.page.getByLabel('Your name').fill('Wanderer');
    await guest.page.getByLabel('Where you are from (optional)').fill('Leeds');
    await postThroughForm(guest.page, 'A guest says hi');
    const seen = reader.page.locator('[data-comment-id]', { hasText: 'A guest says hi' });
    await seen.waitFor({ timeout: 5000 });
    assert.equal(await seen.locator('[data-role="comment-author"]').innerText(), 'Wanderer');
    assert.match(await seen.innerText(), /from Leeds/);
    await guest.page.waitForFunction(() => !document.querySelector('.comment.pending'));
    assert.equal(await countText(guest.page, 'A guest says hi'), 1);
    assert.deepEqual([...guest.problems, ...reader.problems], []);
  });

  it('starts a guest\'s reply at their name until this browser knows it, then at the reply', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Big Black Smoke', artist: 'The Kinks' });
    const dan = await signUp(forum, { displayName: 'Dan' });
    const { comment } = await postComment(forum.deps, { user: dan.user, ip: '127.0.0.1' }, song.slug, { body: 'Answer me, guest' });
    const { page } = await suite.open();
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    const card = page.locator(`[data-comment-id="${comment.id}"]`);
    const focusedField = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? 'none');
    await card.getByRole('button', { name: 'Reply to Dan', exact: true }).click();
    await card.locator('form[data-role="reply-form"]').waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('form[data-role="reply-form"]'));
    assert.equal(await focusedField(), 'name');
    await page.keyboard.type('Passer-by');
    await card.locator('form[data-role="reply-form"] textarea').fill('Answered, as a guest');
    await card.locator('form[data-role="reply-form"] button[type="submit"]').click();
    await page.locator('[data-role="comment-body"]', { hasText: 'Answered, as a guest' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('.comment.pending'));
    // The name is remembered now: the next reply starts at what to say.
    await card.getByRole('button', { name: 'Reply to Dan', exact: true }).click();
    await page.waitForFunction(() => document.activeElement?.closest('form[data-role="reply-form"]'));
    assert.equal(await focusedField(), 'body');
    assert.equal(await card.locator('form[data-role="reply-form"] input[name="name"]').inputValue(), 'Passer-by');
  });

  it("shows a guest as a guest, live and server-rendered, and refuses a member's name in the form, saying why", async () => {
    const song = await createSong(forum.deps, admin, { title: 'Lola', artist: 'The Kinks' });
    const mara = await signUp(forum, { displayName: 'Mara' });
    await postComment(forum.deps, { user: mara.user, ip: '127.0.0.1' }, song.slug, { body: 'The real Mara here' });
    const guest = await suite.open();
    const reader = await suite.open();
    await Promise.all([guest.page.goto(`/songs/${song.slug}`), reader.page.goto(`/songs/${song.slug}`)]);
    await Promise.all([waitLive(guest.page), waitLive(reader.page)]);
    const form = 'form[data-role="comment-form"]';
    await guest.page.getByLabel('Your name').fill('MÁRA');
    await postThroughForm(guest.page, 'Mara here, honest');
    await guest.page.waitForSelector(`${form} .form-error`);
    assert.match(await guest.page.innerText(`${form} .form-error`), /Your name is a member's name here/);
    await guest.page.getByLabel('Your name').fill('\u202Earam');
    await postThroughForm(guest.page, 'A guest, plainly');
    const card = (page: typeof reader.page, text: string) => page.locator('[data-comment-id]', { hasText: text }).first();
    await card(reader.page, 'A guest, plainly').waitFor({ timeout: 5000 });
    const labels = async (page: typeof reader.page) => ({
      guest: await card(page, 'A guest, plainly').locator('[data-role="guest-label"]').allInnerTexts(),
      guestName: await card(page, 'A guest, plainly').locator('[data-role="comment-author"]').innerText(),
      member: await card(page, 'The real Mara here').locator('[data-role="guest-label"]').count(),
    });
    // Live, then as the server renders it.
    assert.deepEqual(await labels(reader.page), { guest: ['guest'], guestName: 'aram', member: 0 });
    await reader.page.reload();
    assert.deepEqual(await labels(reader.page), { guest: ['guest'], guestName: 'aram', member: 0 });
    guest.problems.splice(0, guest.problems.length, ...guest.problems.filter((p) => !/status of 400/.test(p)));
    assert.deepEqual([...guest.problems, ...reader.problems], []);
  });
});
