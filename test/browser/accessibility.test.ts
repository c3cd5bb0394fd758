// Every kind of page passes axe-core with no violation: signed out and in, with JavaScript on (after hydration)
// and off, on the states a reader meets (a thread with replies, an open reply form, form errors, 404, error page).
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { UserDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { type TestForum } from '../helpers/forum';
import { assertAccessible } from './a11y';
import { browserSuite, openPage, waitLive, type Watched } from './browser';

const admin: UserDTO = { id: '000000000000000000000001', username: 'admin', displayName: 'Admin', location: null, role: 'admin', createdAt: new Date().toISOString() };

/**
 * The page as a reader without JavaScript gets it: the server's HTML and styles, the song page's script answered with
 * an empty one. (axe itself needs script, which a context with JavaScript switched off would not run.)
 */
async function withoutPageScript(page: Page): Promise<void> {
  await page.route(/\/build\/app-[^/]+\.js$/, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
}

/** Drops the console line Chromium writes for a page answered with an error status: the status is what was asked for. */
const expectedStatus = (w: Watched, status: number) => w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !p.includes(`status of ${status}`)));

describe('browser: accessibility of every page kind (axe-core, Chromium)', function () {
  this.timeout(60_000);
  const suite = browserSuite();
  let forum: TestForum;
  let browser: Browser;
  let slug: string;
  let member: SignedUp;
  const watch = suite.open;
  const open = async (opts: Parameters<typeof openPage>[2] = {}) => (await watch(opts)).page;

  before(async () => {
    [forum, browser] = [suite.forum, suite.browser];
    const song = await createSong(forum.deps, admin, {
      title: 'Waterloo Sunset',
      artist: 'The Kinks',
      featuring: ['Rasa Didzpetris'],
      album: 'Something Else by the Kinks',
      year: 1967,
      charts: [{ region: 'UK', peak: 2 }, { region: 'US', peak: 1 }],
      facts: ['Ray Davies first thought of calling it "Liverpool Sunset".\n\nSee https://en.wikipedia.org/wiki/Waterloo_Sunset'],
    });
    slug = song.slug;
    member = await signUp(forum, { displayName: 'Ana', location: 'Lisbon' });
    const other = await signUp(forum, { displayName: 'Ben' });
    const first = await postComment(forum.deps, { user: other.user, ip: '127.0.0.1' }, slug, { body: 'The best song about London.\n\nDiscuss: https://example.org/london' });
    const reply = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Agreed, and the harmonies!', parentId: first.comment.id });
    await postComment(forum.deps, { user: other.user, ip: '127.0.0.1' }, slug, { body: 'A reply to a reply.', parentId: reply.comment.id });
    await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'My own comment, still editable.' });
  });

  it('the home page, with songs and after a search that finds none', async () => {
    const page = await open();
    await page.goto('/');
    await page.waitForSelector('.song-card');
    await assertAccessible(page, 'home');
    await page.goto('/?q=nothing+like+this');
    await assertAccessible(page, 'home, empty search');
  });

  it('a song page with a thread of replies, signed out, after hydration, with new comments waiting and while reconnecting', async () => {
    const page = await open();
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    await page.waitForSelector('.presence');
    await assertAccessible(page, 'song page, signed out');
    await page.click('nav.sorts >> text=Newest');
    await page.waitForFunction(() => document.querySelector('nav.sorts a[aria-current]')?.textContent === 'Newest');
    const ben = await signUp(forum, { displayName: 'Ben again' });
    await postComment(forum.deps, { user: ben.user, ip: '127.0.0.1' }, slug, { body: 'Waiting behind the button.' });
    await page.waitForSelector('button.new-comments');
    forum.io.disconnectSockets(true);
    await page.waitForSelector('.banner >> text=Reconnecting');
    await assertAccessible(page, 'song page with new comments waiting, reconnecting');
    await waitLive(page);
  });

  it('a song page signed in, after hydration, with its comment controls and each of its forms open, and a post on its way', async () => {
    const page = await open({ cookie: member.cookie });
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    await page.waitForSelector('[data-comment-id] button.vote');
    await assertAccessible(page, 'song page, signed in');
    const theirs = page.locator('[data-comment-id]', { hasText: 'The best song about London.' });
    await theirs.getByRole('button', { name: 'Reply to Ben', exact: true }).click();
    await page.getByLabel('Reply to Ben').waitFor();
    const mine = page.locator('[data-comment-id]', { hasText: 'My own comment' });
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await mine.getByRole('button', { name: 'Keep it' }).waitFor();
    await assertAccessible(page, 'song page, reply form and delete confirmation open');
    // A post on its way (a slow network): the comment shows as "sending…" until the answer comes.
    let answer: () => void = () => {};
    const held = new Promise<void>((r) => (answer = r));
    await page.route(`**/api/songs/${slug}/comments`, async (route) => (route.request().method() === 'POST' ? held.then(() => route.continue()) : route.continue()));
    await page.fill('form[data-role="comment-form"] textarea[name="body"]', 'On its way');
    await page.click('form[data-role="comment-form"] button[type="submit"]');
    await page.waitForSelector('.comment.pending');
    await assertAccessible(page, 'song page, a post on its way');
    answer();
    await page.waitForFunction(() => !document.querySelector('.comment.pending'));
    // The edit and report forms.
    await mine.getByRole('button', { name: 'Keep it' }).click();
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Edit your comment').waitFor();
    await page.locator('[data-comment-id]', { hasText: 'A reply to a reply.' }).getByRole('button', { name: 'Report' }).click();
    await page.getByLabel('Why should a moderator look at this?').waitFor();
    await assertAccessible(page, 'song page, edit and report forms open');
  });

  it('every page kind in the dark colour scheme, where the system asks for it', async () => {
    const page = await open({ cookie: member.cookie, dark: true });
    await page.goto('/');
    // The page is dark indeed, not only checked in the dark.
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), 'rgb(23, 21, 26)');
    await assertAccessible(page, 'home page, dark');
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    await page.waitForSelector('[data-comment-id] button.vote');
    await page.locator('[data-comment-id]', { hasText: 'The best song about London.' }).getByRole('button', { name: 'Report' }).click();
    await assertAccessible(page, 'song page, signed in, dark');
    await page.goto(`/users/${member.user.username}`);
    await assertAccessible(page, 'profile, dark');
    await page.goto('/settings?saved=profile');
    await assertAccessible(page, 'settings with its saved note, dark');
    const reader = await watch({ dark: true });
    await reader.page.goto('/login');
    await reader.page.getByRole('button', { name: 'Log in' }).click();
    await reader.page.fill('#f-username', 'nobody');
    await reader.page.fill('#f-password', 'not the password at all');
    await reader.page.getByRole('button', { name: 'Log in' }).click();
    await reader.page.locator('.form-error').waitFor();
    await assertAccessible(reader.page, 'log in with its error, dark');
    expectedStatus(reader, 401);
  });

  it('a song page without JavaScript, signed out and signed in', async () => {
    for (const cookie of [undefined, member.cookie]) {
      const page = await open({ cookie });
      await withoutPageScript(page);
      await page.goto(`/songs/${slug}`);
      assert.equal(await page.getAttribute('section.discussion', 'data-state'), 'static', 'the thread as the server rendered it');
      await assertAccessible(page, `song page without JavaScript, ${cookie ? 'signed in' : 'signed out'}`);
    }
  });

  it('log in and register, empty and with the errors a failed attempt shows', async () => {
    const w = await watch();
    const { page } = w;
    await page.goto('/login');
    await assertAccessible(page, 'login');
    await page.getByLabel('Username').fill('nobody-here');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForSelector('.form-error');
    await assertAccessible(page, 'login after a wrong password');
    await page.goto('/register');
    await assertAccessible(page, 'register');
    await page.getByLabel('Username').fill('x');
    await page.getByLabel('Password').fill('short');
    // The browser's own checks would stop the form before the server sees it: let the server judge it.
    await page.$eval('form.account-form', (f) => f.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForSelector('.field-error');
    await assertAccessible(page, 'register with field errors');
    expectedStatus(w, 401);
    expectedStatus(w, 400);
  });

  it('the 404 page and an error page', async () => {
    const w = await watch();
    const { page } = w;
    assert.equal((await page.goto('/no/such/page'))?.status(), 404);
    await assertAccessible(page, '404');
    assert.equal((await page.goto(`/songs/no-such-song`))?.status(), 404);
    await assertAccessible(page, 'song 404');
    // A cursor that parses but names no place in the thread: the page answers 400 with the error page.
    const res = await page.goto(`/songs/${slug}?cursor=AAAAAAAA`);
    assert.equal(res?.status(), 400);
    assert.equal(await page.innerText('h1'), 'Sorry');
    await assertAccessible(page, 'error page');
    expectedStatus(w, 404);
    expectedStatus(w, 400);
  });
});

describe('browser: accessibility with guest posting on (axe-core, Chromium)', function () {
  this.timeout(60_000);
  const suite = browserSuite({ GUEST_POSTING: 'true' });
  let forum: TestForum;
  before(() => (forum = suite.forum));

  it('a song page with the guest name and location fields, with JavaScript on and off', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Victoria', artist: 'The Kinks' });
    for (const javaScriptEnabled of [true, false]) {
      const w = await suite.open();
      if (!javaScriptEnabled) await withoutPageScript(w.page);
      await w.page.goto(`/songs/${song.slug}`);
      if (javaScriptEnabled) await waitLive(w.page);
      await w.page.getByLabel('Your name').waitFor();
      await assertAccessible(w.page, `guest song page, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`);
      assert.deepEqual(w.problems, []);
      await w.context.close();
    }
  });
});
