// The moderator's pages in Chromium: the queue follows new held comments live; approving from the queue puts the
// comment on the reader's open song page at once; the pages read and act without JavaScript too.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { CommentDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { type TestForum } from '../helpers/forum';
import { assertAccessible } from './a11y';
import { browserSuite, waitLive } from './browser';

describe('browser: moderation (Chromium)', function () {
  this.timeout(60_000);
  const suite = browserSuite({ POSTING_LIMIT_PER_MINUTE: '1000', PREMODERATION: 'all' });
  let forum: TestForum;
  let browser: Browser;
  let admin: SignedUp;
  let mod: SignedUp;
  let member: SignedUp;
  let slug: string;
  const open = suite.open;

  before(async () => {
    [forum, browser] = [suite.forum, suite.browser];
    admin = await signUp(forum, { role: 'admin' });
    mod = await signUp(forum, { role: 'moderator', displayName: 'Mona' });
    member = await signUp(forum, { displayName: 'Ana', location: 'Lisbon' });
    slug = (await createSong(forum.deps, admin.user, { title: 'Heroes', artist: 'David Bowie', year: 1977 })).slug;
  });
  it('shows a held comment in the live queue, and approving it there puts it on the reader\'s page', async () => {
    const queue = await open({ cookie: mod.cookie });
    const reader = await open();
    await Promise.all([queue.page.goto('/moderation'), reader.page.goto(`/songs/${slug}`)]);
    await Promise.all([queue.page.waitForSelector('[data-role="moderation-queue"][data-state="live"]'), waitLive(reader.page)]);
    const before = await queue.page.innerText('[data-tab="pending"] [data-role="count"]');

    const { comment } = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'We can be heroes, just for one day.' });
    assert.equal(comment.status, 'pending');
    const item = queue.page.locator(`[data-queue-id="${comment.id}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /Heroes by David Bowie/);
    assert.match(await item.innerText(), /every comment is reviewed/);
    await queue.page.waitForFunction((n) => document.querySelector('[data-tab="pending"] [data-role="count"]')?.textContent === String(Number(n) + 1), before);
    assert.equal(await reader.page.locator(`[data-comment-id="${comment.id}"]`).count(), 0, 'the reader never sees it while held');

    mkdirSync('docs', { recursive: true });
    await queue.page.screenshot({ path: 'test-results/moderation.png', fullPage: true });

    // Keyboard alone: Tab to the item's Approve button and press Enter.
    await item.locator('input[name="reason"]').focus();
    await queue.page.keyboard.press('Tab');
    assert.equal(await queue.page.evaluate(() => document.activeElement?.textContent), 'Approve');
    await queue.page.keyboard.press('Enter');
    // Done in place, without a reload: the item goes, the note says so, and focus moves on rather than to the top.
    await queue.page.locator(`[data-queue-id="${comment.id}"]`).waitFor({ state: 'detached' });
    assert.match(await queue.page.innerText('.flash'), /Approved/);
    assert.doesNotMatch(queue.page.url(), /done=/);

    await reader.page.waitForSelector(`[data-comment-id="${comment.id}"]`, { timeout: 5000 });
    assert.match(await reader.page.innerText('#discussion-heading'), /Discussion \(1\)/);
  });

  it('shows the author their held comment marked, and a moderator\'s menu features a comment for every reader', async () => {
    const author = await open({ cookie: member.cookie });
    await author.page.goto(`/songs/${slug}`);
    await waitLive(author.page);
    await author.page.fill('form[data-role="comment-form"] textarea[name="body"]', 'Held, but mine to see');
    await author.page.click('form[data-role="comment-form"] button[type="submit"]');
    await author.page.waitForSelector('[data-role="held-notice"]');
    await author.page.waitForSelector('.comment.held >> text=Held for review');

    const moderator = await open({ cookie: mod.cookie });
    const reader = await open();
    await Promise.all([moderator.page.goto(`/songs/${slug}`), reader.page.goto(`/songs/${slug}`)]);
    await waitLive(reader.page);
    const approved = moderator.page.locator('[data-comment-id]', { hasText: 'We can be heroes' });
    await approved.locator('summary').click();
    await Promise.all([moderator.page.waitForURL(/done=/), approved.locator('button[value="feature"]').click()]);
    await reader.page.waitForSelector('[data-comment-id] .badge >> text=Editor\'s pick', { timeout: 5000 });
    // Said as what it is, not as an edit.
    await reader.page.waitForFunction(() => /is now an editor's pick\./.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ''));
    assert.doesNotMatch(await reader.page.innerText('[aria-live="polite"]'), /edited/);
    await moderator.page.waitForSelector('[data-role="picks"] >> text=We can be heroes');
    // The song page says what the menu did.
    assert.equal(await moderator.page.innerText('[data-role="mod-notice"]'), "Made an editor's pick.");
  });

  it("takes a rejected comment off a reader's page live, as a reload would, and marks it on its author's", async () => {
    const { comment } = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Fine at first, rejected later' });
    await mod.agent.post(`/api/moderation/comments/${comment.id}`).send({ action: 'approve' }).expect(200);
    const [reader, author] = [await open(), await open({ cookie: member.cookie })];
    for (const w of [reader, author]) {
      await w.page.goto(`/songs/${slug}`);
      await waitLive(w.page);
      await w.page.locator(`[data-comment-id="${comment.id}"]`).waitFor();
    }
    await mod.agent.post(`/api/moderation/comments/${comment.id}`).send({ action: 'reject', from: 'visible' }).expect(200);
    await reader.page.locator(`[data-comment-id="${comment.id}"]`).waitFor({ state: 'detached', timeout: 5000 });
    await author.page.locator(`[data-comment-id="${comment.id}"] .badge.rejected`).waitFor({ timeout: 5000 });
    const shownAfterReload = async () => {
      await reader.page.reload();
      await waitLive(reader.page);
      return reader.page.locator(`[data-comment-id="${comment.id}"]`).count();
    };
    assert.equal(await shownAfterReload(), 0);
  });

  it("restores a comment a moderator removed from the song page's own menu, and says so", async () => {
    const { comment } = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Removed by mistake' });
    await mod.agent.post(`/api/moderation/comments/${comment.id}`).send({ action: 'approve' }).expect(200);
    await mod.agent.delete(`/api/comments/${comment.id}`).expect(204);
    const moderator = await open({ cookie: mod.cookie });
    await moderator.page.goto(`/songs/${slug}`);
    await waitLive(moderator.page);
    const card = moderator.page.locator(`[data-comment-id="${comment.id}"]`);
    await card.locator('summary', { hasText: 'Moderate' }).click();
    await Promise.all([moderator.page.waitForURL(/done=/), card.getByRole('button', { name: 'Restore', exact: true }).click()]);
    assert.equal(await moderator.page.innerText('[data-role="mod-notice"]'), 'Restored.');
    assert.equal(await card.locator('[data-role="comment-body"]').innerText(), 'Removed by mistake');
    await assertAccessible(moderator.page, 'a song page after a moderator\'s action');
  });

  it('tells a member of their ban live, and again at once on their next visit, with no form to post from', async () => {
    const banned = await signUp(forum, { displayName: 'Rowdy' });
    const { comment } = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'Something Rowdy could answer' });
    await mod.agent.post(`/api/moderation/comments/${comment.id}`).send({ action: 'approve' }).expect(200);
    const { page } = await open({ cookie: banned.cookie });
    await page.goto(`/songs/${slug}`);
    await waitLive(page);
    await page.locator('form[data-role="comment-form"]').waitFor();
    const card = page.locator(`[data-comment-id="${comment.id}"]`);
    /** What the page offers them on another's comment, and the link to the form. */
    const offered = async () => ({ comment: await card.locator('footer button').allInnerTexts(), write: await page.locator('.write-link').count() });
    const asMember = await offered();
    assert.ok(asMember.comment.some((t) => t.startsWith('Reply')) && asMember.write === 1, JSON.stringify(asMember));
    await mod.agent.post(`/api/moderation/users/${banned.user.id}`).send({ action: 'ban', reason: 'flaming', until: '2099-01-31' }).expect(200);
    await page.locator('[data-role="banned-notice"]').waitFor();
    assert.match(await page.innerText('[data-role="banned-notice"]'), /banned until 2099-01-31 23:59 UTC/);
    // Nothing is offered that the server would refuse: no vote, reply or report, no way to the form.
    assert.deepEqual(await offered(), { comment: [], write: 0 });

    await page.reload();
    await waitLive(page);
    await page.locator('[data-role="banned-notice"]').waitFor();
    assert.equal(await page.locator('form[data-role="comment-form"]').count(), 0);
    // Lifted: the open page takes the notice away and gives the form back, live, and says so.
    await mod.agent.post(`/api/moderation/users/${banned.user.id}`).send({ action: 'unban', reason: 'cooled off' }).expect(200);
    await page.locator('form[data-role="comment-form"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-role="banned-notice"]').count(), 0);
    await page.waitForFunction(() => document.querySelector('[aria-live="polite"]')?.textContent?.includes('Your ban was lifted'));
    assert.deepEqual(await offered(), asMember);
    await page.reload();
    await waitLive(page);
    await page.locator('form[data-role="comment-form"]').waitFor();
    assert.equal(await page.locator('[data-role="banned-notice"]').count(), 0);
    // A timed ban ends on the open page when its time comes, without a word from the server.
    await mod.agent.post(`/api/moderation/users/${banned.user.id}`).send({ action: 'ban', reason: 'a moment', until: new Date(Date.now() + 2500).toISOString() }).expect(200);
    await page.locator('[data-role="banned-notice"]').waitFor();
    await page.locator('form[data-role="comment-form"]').waitFor({ timeout: 6000 });
    assert.equal(await page.locator('[data-role="banned-notice"]').count(), 0);
  });

  it('reads and approves without JavaScript', async () => {
    const { comment } = await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body: 'No script needed here.' });
    const queue = await open({ cookie: mod.cookie, javaScriptEnabled: false });
    await queue.page.goto('/moderation');
    const item = queue.page.locator(`[data-queue-id="${comment.id}"]`);
    await item.locator('button[value="approve"]').click();
    await queue.page.waitForURL(/done=/);
    const song = await queue.page.goto(`/songs/${slug}`);
    assert.ok((await song!.text()).includes('No script needed here.'));
    for (const path of ['/moderation/users', '/moderation/log']) {
      const res = await queue.page.goto(path);
      assert.equal(res?.status(), 200, path);
    }
    assert.match(await queue.page.innerText('table.log'), /Approved\s+Ana's comment on Heroes/);
  });

  it('keeps every moderation page accessible: the queue, members (a refused ban too), the log and the settings', async () => {
    const w = await open({ cookie: admin.cookie });
    const { page } = w;
    await page.goto('/moderation');
    await page.waitForSelector('[data-role="moderation-queue"][data-state="live"]');
    await assertAccessible(page, 'the moderation queue');
    const target = await signUp(forum, { username: `axe_${Date.now().toString(36)}`, displayName: 'Axel' });
    await page.goto(`/moderation/users?q=${target.user.username}`);
    await assertAccessible(page, 'the members page');
    const row = page.locator(`[data-user-id="${target.user.id}"]`);
    await row.getByLabel('Reason').fill('too late');
    await row.getByLabel('Until (optional)').fill('2001-02-03');
    await row.getByRole('button', { name: `Ban ${target.user.username}` }).click();
    await row.locator('.form-error', { hasText: "The ban's end must be in the future." }).waitFor();
    assert.equal(await row.getByLabel('Reason').inputValue(), 'too late');
    await assertAccessible(page, 'the members page with a refused ban');
    await page.goto('/moderation/log');
    await assertAccessible(page, 'the moderation log');
    await page.goto('/admin/settings');
    await assertAccessible(page, 'the moderation settings');
    // The refused ban was answered 400 by design; the browser logs any such answer.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 400/.test(p)));
  });

  it('acts on the queue in place and keeps keyboard focus in the list, through others\' acts and a failed one', async () => {
    const held: CommentDTO[] = [];
    for (const body of ['First in line', 'Second in line', 'Third in line', 'Fourth in line']) held.push((await postComment(forum.deps, { user: member.user, ip: '127.0.0.1' }, slug, { body })).comment);
    const helper = await signUp(forum, { role: 'moderator', displayName: 'Helper' });
    const w = await open({ cookie: helper.cookie });
    const { page } = w;
    await page.goto('/moderation');
    await page.waitForSelector('[data-role="moderation-queue"][data-state="live"]');
    const item = (c: { id: string }) => page.locator(`[data-queue-id="${c.id}"]`);
    const focusOn = (c: { id: string }) => page.waitForFunction((id) => document.activeElement?.id === id, `q-${c.id}`);
    await item(held[0]).getByRole('button', { name: 'Approve' }).click();
    await item(held[0]).waitFor({ state: 'detached' });
    await focusOn(held[1]);
    // The note is in a live region that was there all along, so it is read out.
    await page.locator('[role="status"] > .flash', { hasText: 'Approved.' }).waitFor();
    // From the focused item, the keyboard reaches its song's link, then its reason and buttons.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'reason');
    await page.keyboard.type('off topic');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await item(held[1]).waitFor({ state: 'detached' });
    await focusOn(held[2]);
    await page.locator('[role="status"] > .flash', { hasText: 'Rejected.' }).waitFor();
    const log = (await mod.agent.get('/api/moderation/log').expect(200)).body.items;
    assert.deepEqual([log[0].action, log[0].reason, log[0].target.id], ['comment.reject', 'off topic', held[1].id]);

    // Another moderator approves the item this one is on: it leaves live, and focus goes on to the next one.
    await mod.agent.post(`/api/moderation/comments/${held[2].id}`).send({ action: 'approve' }).expect(200);
    await item(held[2]).waitFor({ state: 'detached' });
    await focusOn(held[3]);
    await page.locator('[role="status"] > .flash', { hasText: 'Another moderator dealt with the comment you were on.' }).waitFor();

    // The connection drops as they press Approve: nothing is done, and the item says why, in words.
    await w.context.setOffline(true);
    await item(held[3]).getByRole('button', { name: 'Approve' }).click();
    await item(held[3]).locator('.form-error[role="alert"]', { hasText: 'Could not reach the forum. Check your connection and try again.' }).waitFor();
    await w.context.setOffline(false);
    const pending = (await mod.agent.get('/api/moderation/queue').query({ status: 'pending' }).expect(200)).body.items;
    assert.equal(pending.some((x: { id: string }) => x.id === held[3].id), true);
    // Going offline is logged by the browser (the failed request, the socket's errors).
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket|socket\.io/i.test(p)));

    // The tab's last item, whose live echo comes before the act's answer (held back here): focus ends on the note.
    await page.waitForSelector('[data-role="moderation-queue"][data-state="live"]');
    for (const x of pending) if (x.id !== held[3].id) await mod.agent.post(`/api/moderation/comments/${x.id}`).send({ action: 'approve' }).expect(200);
    await page.waitForFunction(() => document.querySelectorAll('[data-queue-id]').length === 1);
    await page.route('**/api/moderation/comments/*', async (route) => {
      const answer = await route.fetch();
      await item(held[3]).waitFor({ state: 'detached' });
      await route.fulfill({ response: answer });
    });
    await item(held[3]).getByRole('button', { name: 'Approve' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'flash' && document.activeElement.textContent === 'Approved.', undefined, { timeout: 5000 });
  });

  it('sends a moderator whose session ended elsewhere from the live queue to the login page', async () => {
    const leaving = await signUp(forum, { role: 'moderator', displayName: 'Leaving' });
    const { page } = await open({ cookie: leaving.cookie });
    await page.goto('/moderation');
    await page.waitForSelector('[data-role="moderation-queue"][data-state="live"]');
    await forum.agent().post('/api/auth/logout').set('cookie', leaving.cookie).expect(204);
    await page.waitForURL(/\/login\?next=%2Fmoderation$/);
  });
});
