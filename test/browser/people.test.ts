// Issue #12 as readers and members meet it, in Chromium: a 123-comment thread, replies in context, new comments
// where the reader is, the way to the form, remembered votes, profiles, settings, notifications, guests, no-JS
// parity, screen-reader announcements; axe-core on every page kind.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { CommentDTO, UserDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { createSong } from '../../server/songs/service';
import { signUp, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { type TestForum } from '../helpers/forum';
import { assertAccessible } from './a11y';
import { browserSuite, waitLive } from './browser';

const admin: UserDTO = { id: '000000000000000000000001', username: 'admin', displayName: 'Admin', location: null, role: 'admin', createdAt: new Date().toISOString() };
const by = (u: SignedUp) => ({ user: u.user, ip: '127.0.0.1' });
const bodies = (page: Page) => page.$$eval('[data-role="thread"] [data-comment-id] [data-role="comment-body"]', (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
const announced = (page: Page) => page.innerText('[aria-live="polite"]');

describe('browser: people and the thread as they use it (Chromium)', function () {
  this.timeout(90_000);
  const suite = browserSuite({ POSTING_LIMIT_PER_MINUTE: '10000', GUEST_POSTING: 'true' });
  let forum: TestForum;
  let browser: Browser;
  let ana: SignedUp;
  let ben: SignedUp;
  let long: string;
  let first: CommentDTO;
  let lateReply: CommentDTO;
  const open = suite.open;

  before(async () => {
    [forum, browser] = [suite.forum, suite.browser];
    ana = await signUp(forum, { username: `ana_${Date.now().toString(36)}`, displayName: 'Ana', location: 'Lisbon' });
    ben = await signUp(forum, { displayName: 'Ben' });
    const facts = Array.from({ length: 10 }, (_, i) => `Fact number ${i + 1} about the song, long enough to take a few lines on a phone screen when it is read.`);
    long = (await createSong(forum.deps, admin, { title: 'Rhiannon', artist: 'Fleetwood Mac', album: 'Fleetwood Mac', facts })).slug;
    first = (await postComment(forum.deps, by(ben), long, { body: 'Comment number 1' })).comment;
    for (let i = 2; i <= 122; i++) await postComment(forum.deps, by(i % 2 ? ben : ana), long, { body: `Comment number ${i}` });
    lateReply = (await postComment(forum.deps, by(ana), long, { body: 'A late answer to the very first comment', parentId: first.id })).comment;
  });

  it('shows a late reply with its parent: "1 reply" opens it under #1 oldest-first; newest-first it says whom it answers', async () => {
    const { page } = await open({ width: 1280 });
    await page.goto(`/songs/${long}`);
    await waitLive(page);
    assert.equal((await bodies(page))[0], 'Comment number 1');
    assert.ok(!(await bodies(page)).includes('A late answer to the very first comment'));
    const parent = page.locator(`li:has(> [data-comment-id="${first.id}"])`);
    await parent.getByRole('button', { name: 'Show 1 reply to Ben' }).click();
    await parent.locator(`ol.replies [data-comment-id="${lateReply.id}"]`).waitFor();
    assert.match(await announced(page), /Replies shown/);
    await assertAccessible(page, 'the song page, oldest first, replies open');

    await page.goto(`/songs/${long}?sort=newest`);
    await waitLive(page);
    const card = page.locator(`li:has(> [data-comment-id="${lateReply.id}"])`);
    assert.match(await card.locator('.in-reply-to').innerText(), /In reply to Ben\s*“?Comment number 1/);
    await card.locator('.in-reply-to a').click();
    await page.waitForURL(new RegExp(`/songs/${long}/c/${first.id}#c-${first.id}$`));
    await waitLive(page);
    assert.equal((await bodies(page))[0], 'Comment number 1');
    assert.equal(await page.evaluate(() => document.activeElement?.id), `c-${first.id}`);
  });

  it('opens a #c-ID link on the page that holds it, whatever page it was on', async () => {
    const { page } = await open();
    const target = (await forum.agent().get(`/api/songs/${long}/comments`).query({ sort: 'newest', limit: 3 }).expect(200)).body.items[2] as CommentDTO;
    await page.goto(`/songs/${long}#c-${target.id}`);
    await page.waitForURL(new RegExp(`/c/${target.id}#c-${target.id}$`));
    await waitLive(page);
    await page.locator(`#c-${target.id}`).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), `c-${target.id}`);
    await assertAccessible(page, 'a permalink page');
  });

  it('tells a reader at the form of new comments where they are, counts them in the hidden tab\'s title, and puts them in time order', async () => {
    const { page } = await open({ width: 1280 });
    await page.goto(`/songs/${long}`);
    await waitLive(page);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    // The tab goes to the background.
    // A string, not a function: the test runner's transpiler would wrap named functions in helpers the page lacks.
    const hide = (hidden: boolean) => page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} }); document.dispatchEvent(new Event('visibilitychange'));`);
    await hide(true);
    const title = await page.title();
    await postComment(forum.deps, by(ben), long, { body: 'Brand new at the end' });
    const notice = page.locator('.new-comments-float button');
    await notice.waitFor();
    assert.equal(await notice.innerText(), 'Show 1 new comment');
    const box = (await notice.boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= 900, `the notice is in view (y ${box.y})`);
    assert.equal(await page.title(), `(1) ${title}`);
    await hide(false);
    assert.equal(await page.title(), title);
    await notice.click();
    // In time order: past the pages not loaded yet, after the "Load more" that stands for them.
    await page.locator('[data-role="thread-gap"] + li [data-role="comment-body"]', { hasText: 'Brand new at the end' }).waitFor();
    const all = await bodies(page);
    assert.equal(all[all.length - 1], 'Brand new at the end');
  });

  it('reaches the comment form from the top of the page in a few key presses, and folds the facts on a phone', async () => {
    const { page } = await open({ cookie: ana.cookie, width: 375, touch: true });
    await page.goto(`/songs/${long}`);
    await waitLive(page);
    assert.equal(await page.locator('details.more-facts').getAttribute('open'), null, 'facts past the third are folded on a phone');
    // Under a finger, the thread's small controls are 44 px targets.
    const smallest = await page.$$eval('[data-role="thread"] button.vote, [data-role="thread"] button[data-act="reply"], [data-role="thread"] a.permalink', (els) =>
      els.map((e) => e.getBoundingClientRect()).reduce((m, r) => Math.min(m, r.width, r.height), Infinity),
    );
    assert.ok(smallest >= 43.5, `the smallest control is ${smallest}px`);
    const discussionTop = await page.evaluate(() => document.getElementById('discussion')!.getBoundingClientRect().top + window.scrollY);
    assert.ok(discussionTop < 2500, `the discussion starts ${discussionTop}px down`);
    let presses = 0;
    const at = () => page.evaluate(() => ({ text: document.activeElement?.textContent?.trim() ?? '', form: document.activeElement?.matches('form[data-role="comment-form"] textarea') ?? false }));
    for (let i = 0; i < 30; i++) {
      const now = await at();
      if (now.form) break;
      if (/^(Jump to the discussion|Write a comment)/.test(now.text)) await page.keyboard.press('Enter');
      else await page.keyboard.press('Tab');
      presses++;
    }
    assert.ok((await at()).form, 'the comment box has focus');
    assert.ok(presses <= 12, `${presses} key presses`);
    // A wide screen shows every fact from the first paint: before the page's script has come (held back here), so
    // nothing below the facts moves once it runs.
    const wide = await open({ width: 1280 });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await wide.page.route(/\/build\/app-[^/]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    // Not DOMContentLoaded: that waits for the module script. The page is parsed once its last part is there.
    await wide.page.goto(`/songs/${long}`, { waitUntil: 'commit' });
    await wide.page.waitForSelector('footer', { state: 'attached' });
    assert.equal(await wide.page.locator('details.more-facts').getAttribute('open'), '', 'every fact on a wide screen');
    const top = () => wide.page.evaluate(() => document.getElementById('discussion')!.getBoundingClientRect().top);
    const before = await top();
    release();
    await waitLive(wide.page);
    assert.equal(await top(), before, 'the discussion stays where it was painted');
  });

  it('remembers a member\'s votes and reports after a reload; a reader gets a labelled score and "Sign in to vote"', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Songbird', artist: 'Fleetwood Mac' });
    const c = (await postComment(forum.deps, by(ben), song.slug, { body: 'Vote for me' })).comment;
    const { page } = await open({ cookie: ana.cookie });
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    const comment = page.locator(`[data-comment-id="${c.id}"]`);
    await comment.getByRole('button', { name: 'Vote up' }).click();
    await comment.locator('.score >> text=+1').waitFor();
    // The live score can come before the vote's own answer, which is what says it: wait for the words.
    await page.waitForFunction(() => /Voted up\. Score \+1\./.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''), undefined, { timeout: 5000 });
    await comment.getByRole('button', { name: 'Report' }).click();
    await comment.getByLabel('Why should a moderator look at this?').fill('Just testing');
    await comment.getByRole('button', { name: 'Send report' }).click();
    await comment.locator('text=Reported. Thank you.').waitFor();
    await page.reload();
    await waitLive(page);
    // The page is the thread every member shares; the script asks for this member's marks on it.
    await comment.locator('button[aria-label="Vote up"][aria-pressed="true"]').waitFor();
    await comment.locator('.note', { hasText: 'Reported' }).waitFor();
    assert.equal(await comment.getByRole('button', { name: 'Report' }).count(), 0);
    assert.equal(await comment.locator('.note').innerText(), 'Reported');
    // Withdrawing is possible because the vote is remembered.
    await comment.getByRole('button', { name: 'Vote up' }).click();
    await comment.locator('.score >> text=0').waitFor();

    const reader = await open();
    await reader.page.goto(`/songs/${song.slug}`);
    await waitLive(reader.page);
    const seen = reader.page.locator(`[data-comment-id="${c.id}"]`);
    assert.equal(await seen.locator('.score').textContent(), 'Score 0', 'the score says what it is');
    await seen.getByRole('link', { name: 'Sign in to vote' }).click();
    await reader.page.waitForURL(/\/login\?next=/);
  });

  it('shows a member\'s own comment at the end of a long thread, past the pages not loaded, and in order once they load', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Landslide', artist: 'Fleetwood Mac' });
    for (let i = 1; i <= 60; i++) await postComment(forum.deps, by(ben), song.slug, { body: `Older comment ${i}` });
    const { page } = await open({ cookie: ana.cookie, width: 1280 });
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    assert.equal((await bodies(page)).length, 50);
    await page.fill('form[data-role="comment-form"] textarea[name="body"]', 'Mine, the newest of all');
    await page.click('form[data-role="comment-form"] button[type="submit"]');
    const thread = page.locator('[data-role="thread"]');
    // After the gap (with its "Load more"), not among the first 50 as if it were older than the 10 not loaded.
    await thread.locator('[data-role="thread-gap"] ~ li [data-role="comment-body"]', { hasText: 'Mine, the newest of all' }).waitFor();
    assert.deepEqual((await bodies(page)).slice(-2), ['Older comment 50', 'Mine, the newest of all']);
    await assertAccessible(page, 'a long thread with the reader\'s comment past the pages not loaded');
    await page.getByRole('link', { name: 'Load more comments' }).click();
    await thread.locator('[data-role="thread-gap"]').waitFor({ state: 'detached' });
    const all = await bodies(page);
    assert.deepEqual(all.slice(-3), ['Older comment 59', 'Older comment 60', 'Mine, the newest of all']);
    assert.equal(all.filter((b) => b === 'Mine, the newest of all').length, 1);
    assert.equal(await page.getByRole('link', { name: 'Load more comments' }).count(), 0);
    await assertAccessible(page, 'a long thread after posting, all loaded');
  });

  it('turns a member\'s open page signed out, live, when they log out in another tab, keeping their draft', async () => {
    const dee = await signUp(forum, { displayName: 'Dee' });
    const song = await createSong(forum.deps, admin, { title: 'Gypsy', artist: 'Fleetwood Mac' });
    const mine = (await postComment(forum.deps, by(dee), song.slug, { body: 'Dee was here' })).comment;
    const w = await open({ cookie: dee.cookie });
    const { page } = w;
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    assert.match(await page.innerText('.site-nav'), /Signed in as Dee/);
    await page.locator(`[data-comment-id="${mine.id}"]`).getByRole('button', { name: 'Edit' }).waitFor();
    await page.locator('form[data-role="comment-form"] textarea[name="body"]').fill('Half a thought');

    // The same session logs out elsewhere (another tab of the same browser).
    await forum.agent().post('/api/auth/logout').set('cookie', dee.cookie).expect(204);
    await page.locator('[data-role="signed-out-notice"]').waitFor();
    assert.match(await page.innerText('[data-role="signed-out-notice"]'), /You were logged out/);
    assert.match(await page.innerText('.site-nav'), /Log in\s+Register/);
    assert.doesNotMatch(await page.innerText('.site-nav'), /Signed in/);
    // Their own comment's controls go with the session; the form asks a guest's name (guest posting is on here), draft kept.
    assert.equal(await page.locator(`[data-comment-id="${mine.id}"]`).getByRole('button', { name: 'Edit' }).count(), 0);
    assert.equal(await page.inputValue('form[data-role="comment-form"] textarea[name="body"]'), 'Half a thought');
    await page.locator('form[data-role="comment-form"] input[name="name"]').waitFor();
    assert.match(await announced(page), /You were logged out/);
    await assertAccessible(page, 'the song page after the session ended elsewhere');
    // The page asked who the browser is now (GET /api/auth/me): 401, no one; the browser logs any such answer.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 401/.test(p)));
  });

  it('tells a member on a song page that an admin gave them another role, and a reload brings its tools', async () => {
    const boss = await signUp(forum, { role: 'admin' });
    const eve = await signUp(forum, { displayName: 'Eve' });
    const song = await createSong(forum.deps, admin, { title: 'Dreams', artist: 'Fleetwood Mac' });
    await postComment(forum.deps, by(ben), song.slug, { body: 'Thunder only happens when it is raining' });
    const { page } = await open({ cookie: eve.cookie });
    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    assert.equal(await page.locator('details[data-role="mod-menu"]').count(), 0);
    await boss.agent.post(`/api/moderation/users/${eve.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
    await page.locator('[data-role="role-notice"]', { hasText: 'An admin made you a moderator.' }).waitFor();
    await page.locator('[data-role="role-notice"]').getByRole('link', { name: 'Reload the page' }).click();
    await waitLive(page);
    await page.locator('details[data-role="mod-menu"]').first().waitFor();
    assert.match(await page.innerText('.site-nav'), /Moderation/);
  });

  it('lets a member change their name and password in settings, see their profile, and get live notifications in the bell', async () => {
    const cleo = await signUp(forum, { displayName: 'Cleo' });
    const song = await createSong(forum.deps, admin, { title: 'Sara', artist: 'Fleetwood Mac' });
    const mine = (await postComment(forum.deps, by(cleo), song.slug, { body: 'Cleo started this' })).comment;
    const w = await open({ cookie: cleo.cookie });
    const { page } = w;
    await page.goto('/settings');
    await assertAccessible(page, 'settings');
    await page.getByLabel('Display name').fill('Cleo P');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('text=Your comments show your new name').waitFor();
    await page.getByLabel('Current password').fill('not it at all');
    await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
    await page.getByLabel('New password again').fill('another long passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.match(await page.locator('#f-currentPassword-error').innerText(), /current password is not right/);
    await page.getByLabel('Current password').fill(TEST_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
    await page.getByLabel('New password again').fill('another long passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('text=Password changed').waitFor();

    await page.goto(`/songs/${song.slug}`);
    await waitLive(page);
    assert.equal(await page.locator(`[data-comment-id="${mine.id}"] [data-role="comment-author"]`).innerText(), 'Cleo P');
    await postComment(forum.deps, by(ben), song.slug, { body: `Welcome @${cleo.user.username}, and thanks`, parentId: mine.id });
    await page.locator('[data-role="notifications-bell"] [data-role="unread-count"]:not([hidden])').waitFor();
    assert.match(await page.locator('[data-role="notifications-bell"]').innerText(), /Notifications\s*1/);
    await page.waitForFunction(() => /Ben replied to you/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    // In a hidden tab, a mention on another song counts in the title, as new comments here do.
    const title = await page.title();
    await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); document.dispatchEvent(new Event('visibilitychange'));`);
    const elsewhere = await createSong(forum.deps, admin, { title: 'Tusk', artist: 'Fleetwood Mac' });
    await postComment(forum.deps, by(ben), elsewhere.slug, { body: `What do you think, @${cleo.user.username}?` });
    await page.waitForFunction((t) => document.title === `(1) ${t}`, title);
    await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }); document.dispatchEvent(new Event('visibilitychange'));`);
    assert.equal(await page.title(), title);

    await page.locator('[data-role="comment-author"]', { hasText: 'Cleo P' }).click();
    await page.waitForURL(new RegExp(`/users/${cleo.user.username}$`));
    assert.match(await page.innerText('main'), /Cleo P[\s\S]*Member since[\s\S]*Cleo started this/);
    await assertAccessible(page, 'a profile');
    await page.getByRole('link', { name: /Notifications/ }).click();
    assert.match(await page.innerText('[data-role="notifications"]'), /Reply from Ben[\s\S]*Welcome @/);
    await assertAccessible(page, 'notifications');
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.locator('text=You are all caught up.').waitFor();
    // The wrong current password was answered 400 by design; the browser logs any such answer.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 400/.test(p)));
  });

  it('keeps a member\'s bell live on their other pages, with a notice that leads to the reply, and tells them of a new role or a logout', async () => {
    const fay = await signUp(forum, { displayName: 'Fay' });
    const boss = await signUp(forum, { role: 'admin' });
    const song = await createSong(forum.deps, admin, { title: 'Landslide', artist: 'Fleetwood Mac' });
    const mine = (await postComment(forum.deps, by(fay), song.slug, { body: 'Fay climbed a mountain' })).comment;
    const w = await open({ cookie: fay.cookie });
    const { page } = w;
    const memberLive = () => page.waitForSelector('html[data-member-live="on"]', { timeout: 10_000 });
    await page.goto(`/users/${fay.user.username}`);
    await memberLive();
    assert.equal(await page.locator('[data-role="notifications-bell"] [data-role="unread-count"]:not([hidden])').count(), 0);

    const reply = (await postComment(forum.deps, by(ben), song.slug, { body: 'And turned around', parentId: mine.id })).comment;
    await page.locator('[data-role="notifications-bell"] [data-role="unread-count"]:not([hidden])').waitFor();
    assert.match(await page.locator('[data-role="notifications-bell"]').innerText(), /Notifications\s*1/);
    const notice = page.locator('[data-role="member-notices"]');
    assert.match(await notice.innerText(), /Ben replied to you on Landslide\.\s*Read it/);
    await assertAccessible(page, 'a profile with a live notification notice');
    await notice.getByRole('link', { name: 'Read it' }).click();
    await page.waitForURL(new RegExp(`/songs/${song.slug}/c/${reply.id}`));
    await waitLive(page);
    // Read: the bell on the next page counts none.
    assert.equal(await page.locator('[data-role="notifications-bell"] [data-role="unread-count"]:not([hidden])').count(), 0);

    // A new role while on settings; then the moderation queue keeps the bell live too.
    await page.goto('/settings');
    await memberLive();
    await boss.agent.post(`/api/moderation/users/${fay.user.id}`).send({ action: 'set-role', role: 'moderator' }).expect(200);
    await notice.filter({ hasText: 'An admin made you a moderator.' }).waitFor();
    await notice.getByRole('link', { name: 'Reload the page' }).click();
    await page.waitForURL(/\/settings$/);
    assert.match(await page.innerText('.site-nav'), /Moderation/);
    await page.goto('/moderation');
    await page.locator('[data-role="moderation-queue"][data-state="live"]').waitFor();
    await postComment(forum.deps, by(ben), song.slug, { body: `Can I handle the seasons of my life, @${fay.user.username}?` });
    await page.locator('[data-role="notifications-bell"] [data-role="unread-count"]:not([hidden])').waitFor();
    assert.match(await page.locator('[data-role="notifications-bell"]').innerText(), /Notifications\s*1/);

    // Logged out in another tab while reading the notifications page: the header and a notice say so.
    await page.goto('/notifications');
    await memberLive();
    await forum.agent().post('/api/auth/logout').set('cookie', fay.cookie).expect(204);
    await notice.filter({ hasText: 'You were logged out' }).waitFor();
    assert.match(await page.innerText('.site-nav'), /Log in\s+Register/);
    assert.equal(await notice.getByRole('link', { name: 'Log in again' }).getAttribute('href'), '/login?next=%2Fnotifications');
    await assertAccessible(page, 'the notifications page after the session ended elsewhere');
    // The page asked who the browser is now (GET /api/auth/me): 401, no one; the browser logs any such answer.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 401/.test(p)));
  });

  it('remembers a guest\'s name and place, shows them typing, and lets that browser edit its comment; Escape closes forms', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Gypsy', artist: 'Fleetwood Mac' });
    const c = (await postComment(forum.deps, by(ben), song.slug, { body: 'Ben opens' })).comment;
    const guest = await open();
    const reader = await open({ cookie: ana.cookie });
    await Promise.all([guest.page.goto(`/songs/${song.slug}`), reader.page.goto(`/songs/${song.slug}`)]);
    await Promise.all([waitLive(guest.page), waitLive(reader.page)]);
    await guest.page.getByLabel('Your name').fill('Wanderer');
    await guest.page.getByLabel('Where you are from (optional)').fill('Leeds');
    await guest.page.fill('form[data-role="comment-form"] textarea', 'A guest');
    await reader.page.locator('.typing >> text=Wanderer (guest) is typing').waitFor();
    await guest.page.fill('form[data-role="comment-form"] textarea', 'A guest was here');
    await guest.page.click('form[data-role="comment-form"] button[type="submit"]');
    await reader.page.locator('[data-comment-id] >> text=A guest was here').waitFor();
    // The typing notice goes with the comment, at once.
    assert.equal(await reader.page.locator('.typing').count(), 0);

    await guest.page.reload();
    await waitLive(guest.page);
    // As in the reply form below: the remembered name is filled in an effect after the first paint, which may come
    // after the page is live. Wait for it (the assertion says what came instead).
    await guest.page.waitForFunction(() => [...document.querySelectorAll<HTMLInputElement>('form[data-role="comment-form"] input[name="name"]')].some((i) => i.value === 'Wanderer'), null, { timeout: 5000 }).catch(() => {});
    assert.equal(await guest.page.getByLabel('Your name').inputValue(), 'Wanderer');
    assert.equal(await guest.page.getByLabel('Where you are from (optional)').inputValue(), 'Leeds');
    const theirs = guest.page.locator(`[data-comment-id="${c.id}"]`);
    await theirs.getByRole('button', { name: 'Reply' }).click();
    // The form fills the remembered name in an effect after its first paint: wait for it (the assertion says what came instead).
    await guest.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLInputElement | null)?.value === 'Wanderer', `#c-${c.id}-reply-name`, { timeout: 5000 }).catch(() => {});
    assert.equal(await guest.page.locator(`#c-${c.id}-reply-name`).inputValue(), 'Wanderer');
    await guest.page.keyboard.press('Escape');
    assert.equal(await guest.page.locator('form[data-role="reply-form"]').count(), 0, 'Escape closes the reply form');
    const ownId = await guest.page.locator('[data-comment-id]', { hasText: 'A guest was here' }).getAttribute('data-comment-id');
    const own = guest.page.locator(`[data-comment-id="${ownId}"]`);
    await own.getByRole('button', { name: 'Edit' }).click();
    await own.locator('textarea').fill('A guest was here, edited');
    await own.getByRole('button', { name: 'Save' }).click();
    await reader.page.locator('[data-comment-id] >> text=A guest was here, edited').waitFor();
    await reader.page.waitForFunction(() => /Wanderer \(guest\) edited a comment/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    await own.getByRole('button', { name: 'Edit' }).click();
    await own.locator('form.edit-form textarea').press('Escape');
    await own.locator('form.edit-form').waitFor({ state: 'detached', timeout: 3000 });
    await own.getByRole('button', { name: 'Delete' }).click();
    await own.getByRole('button', { name: 'Yes, delete' }).click();
    await reader.page.waitForFunction(() => /A comment by Wanderer was removed/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    // Another browser cannot.
    const stranger = await open();
    await stranger.page.goto(`/songs/${song.slug}`);
    await waitLive(stranger.page);
    assert.equal(await stranger.page.locator('[data-comment-id] button', { hasText: 'Edit' }).count(), 0);
  });

  it('replies, votes and reports without JavaScript, with errors beside the form in words and pages that reload', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Storms', artist: 'Fleetwood Mac' });
    const c = (await postComment(forum.deps, by(ben), song.slug, { body: 'No script needed' })).comment;
    const w = await open({ cookie: ana.cookie, javaScriptEnabled: false });
    const { page } = w;
    await page.goto(`/songs/${song.slug}`);
    const comment = page.locator(`[data-comment-id="${c.id}"]`);
    await comment.getByRole('button', { name: 'Vote up' }).click();
    await page.waitForURL(new RegExp(`/c/${c.id}\\?voted=1#c-${c.id}$`));
    assert.equal(await page.locator(`[data-comment-id="${c.id}"] .score`).textContent(), 'Score +1');
    assert.equal(await comment.getByRole('button', { name: 'Vote up' }).getAttribute('aria-pressed'), 'true');

    await page.locator(`[data-comment-id="${c.id}"]`).getByRole('link', { name: 'Reply' }).click();
    // The browser's own check stops an empty reply; a blank one gets past it and the forum answers in words.
    await page.fill('textarea[name="body"]', '   ');
    await page.getByRole('button', { name: 'Post reply' }).click();
    assert.equal(await page.locator('.form-error').innerText(), 'Your comment is required.');
    const failed = await page.goto(page.url());
    assert.equal(failed?.status(), 200, 'the form page answers 200 on reload');
    await page.fill('textarea[name="body"]', 'Replied without script');
    await page.getByRole('button', { name: 'Post reply' }).click();
    await page.waitForURL(/\/c\/[0-9a-f]{24}#c-[0-9a-f]{24}$/);
    assert.match(await page.innerText('[data-role="thread"]'), /Replied without script/);

    await page.goto(`/songs/${song.slug}/c/${c.id}/report`);
    await page.getByLabel('Why should a moderator look at this?').fill('Checking the plain form');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.waitForURL(new RegExp(`/c/${c.id}\\?reported=1#c-${c.id}$`));
    assert.equal(await page.innerText('[data-role="reported-notice"]'), 'Reported. Thank you: a moderator will look at it.');
    const flags = await forum.deps.db.conn.collection('flags').countDocuments({ _id: `${c.id}:${ana.user.id}` as never });
    assert.equal(flags, 1);
    // axe runs in the page, so these pages are checked in a browser with script on.
    const checker = await open({ cookie: ana.cookie });
    for (const kind of ['reply', 'report']) {
      await checker.page.goto(`/songs/${song.slug}/c/${c.id}/${kind}`);
      await assertAccessible(checker.page, `the ${kind} page`);
    }
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 400/.test(p)));
  });

  it('lets a member edit and delete their own comment without JavaScript, from their profile', async () => {
    const song = await createSong(forum.deps, admin, { title: 'Silver Springs', artist: 'Fleetwood Mac' });
    const c = (await postComment(forum.deps, by(ana), song.slug, { body: 'Time cast a spell on you' })).comment;
    const { page } = await open({ cookie: ana.cookie, javaScriptEnabled: false });
    await page.goto(`/users/${ana.user.username}`);
    await page.getByRole('link', { name: 'Edit your comment on Silver Springs' }).click();
    await page.waitForURL(new RegExp(`/c/${c.id}/edit$`));
    await page.getByRole('textbox', { name: 'Your comment' }).fill('Time cast a spell on you, but you won\'t forget me');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/c/${c.id}#c-${c.id}$`));
    assert.equal(await page.locator(`[data-comment-id="${c.id}"] [data-role="comment-body"]`).innerText(), 'Time cast a spell on you, but you won\'t forget me');

    await page.goto(`/users/${ana.user.username}`);
    await page.getByRole('link', { name: 'Delete your comment on Silver Springs' }).click();
    await page.getByRole('button', { name: 'Delete it' }).click();
    await page.waitForURL(new RegExp(`/c/${c.id}#c-${c.id}$`));
    await page.locator(`[data-comment-id="${c.id}"]`, { hasText: 'This comment was removed.' }).waitFor();
    // axe runs in the page, so these pages are checked in a browser with script on.
    const checker = await open({ cookie: ana.cookie });
    const other = (await postComment(forum.deps, by(ana), song.slug, { body: 'Give me just a chance' })).comment;
    for (const kind of ['edit', 'delete']) {
      await checker.page.goto(`/songs/${song.slug}/c/${other.id}/${kind}`);
      await assertAccessible(checker.page, `the ${kind} page`);
    }
    await checker.page.goto(`/users/${ana.user.username}`);
    await assertAccessible(checker.page, 'a member\'s own profile, with edit and delete links');
  });

  it('takes a new member from a song page through Register and back to the song, and finds songs by album', async () => {
    const watched = await open();
    const { page } = watched;
    await page.goto(`/songs/${long}`);
    await page.locator('header.site-header').getByRole('link', { name: 'Register' }).click();
    await assertAccessible(page, 'the register page');
    await page.getByLabel('Username').fill(`newbie_${Date.now().toString(36)}`);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(new RegExp(`/songs/${long}$`));
    await page.goto('/?q=Fleetwood+Mac');
    await page.goto('/?q=rumours');
    const none = await page.innerText('main');
    assert.match(none, /No songs match/);
    await createSong(forum.deps, admin, { title: 'Never Going Back Again', artist: 'Fleetwood Mac', album: 'Rumours' });
    await page.goto('/?q=rumours');
    assert.match(await page.innerText('.song-list'), /Never Going Back Again/);
    await assertAccessible(page, 'the home page with a search');
    await page.goto('/login');
    await assertAccessible(page, 'the login page');
    const missing = await page.goto('/users/nobody_at_all');
    assert.equal(missing?.status(), 404);
    await assertAccessible(page, 'a 404 page');
    // The browser logs the 404 it was asked to fetch: expected here, so not a problem.
    watched.problems.splice(0, watched.problems.length, ...watched.problems.filter((p) => !/status of 404/.test(p)));
  });
});
