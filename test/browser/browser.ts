// Debian's Chromium through playwright-core, and pages that record every console error, page error and dialog.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { connected, emitAck, startTestForum, type TestForum } from '../helpers/forum';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** `npm test` builds first; a single file run through mocha may not have, so build when the manifest is missing. */
export function ensureClientBuilt(): void {
  if (!existsSync('public/build/manifest.json')) execFileSync(process.execPath, ['scripts/build-client.mjs'], { stdio: 'inherit' });
}

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught page errors and any dialog (alert/confirm/prompt) seen so far. */
  problems: string[];
}

/** A fresh browser profile on the forum, signed in when given the session cookie (`name=value`). */
export async function openPage(browser: Browser, baseURL: string, opts: { cookie?: string; javaScriptEnabled?: boolean; width?: number; touch?: boolean; dark?: boolean } = {}): Promise<Watched> {
  // `touch`: a phone's touch screen (the page's `pointer: coarse`), not only its width; `dark`: a system that asks
  // pages for their dark colour scheme.
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: { width: opts.width ?? 1000, height: 900 },
    colorScheme: opts.dark ? 'dark' : 'light',
    ...(opts.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  if (opts.cookie) {
    const [name, ...rest] = opts.cookie.split('=');
    await context.addCookies([{ name, value: rest.join('='), url: baseURL }]);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  return { page, context, problems };
}

/** Waits until the thread island has hydrated and joined its room. */
export async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('section.discussion[data-state="live"]', { timeout: 10_000 });
}

const readersNow = (n: number) => `${n} ${n === 1 ? 'person' : 'people'} reading now`;

/**
 * Waits until every page has shown one more reader come into the thread and go again. socket.io delivers a thread's
 * events to each page in the order the server sent them, and the thread renders what it receives before the next
 * event: so whatever the server had sent these pages before (a duplicate, a late catch-up comment) is on screen by then.
 */
export async function presenceBarrier(forum: TestForum, slug: string, pages: Page[]): Promise<void> {
  const shows = (text: string) =>
    Promise.all(pages.map((p) => p.waitForFunction((t) => document.querySelector('.presence')?.textContent === t, text, { timeout: 10_000 })));
  const probe = forum.socket();
  try {
    await connected(probe);
    const reply = await emitAck(probe, 'thread:join', { slug });
    if (!reply.ok) throw new Error(`presence probe could not join: ${JSON.stringify(reply)}`);
    await shows(readersNow(reply.presence));
    probe.disconnect();
    await shows(readersNow(reply.presence - 1));
  } finally {
    probe.disconnect();
  }
}

export interface BrowserSuite {
  /** The suite's forum (set once the suite's first `before` hook has run). */
  forum: TestForum;
  browser: Browser;
  /** A fresh watched page in its own profile; closed after the test, its problems checked. */
  open(opts?: Parameters<typeof openPage>[2]): Promise<Watched>;
}

/**
 * The harness every browser suite shares, registered on the calling `describe`: one forum (with these settings) and
 * one Chromium for the suite, fresh pages per test, closed after it, and no console error, page error or dialog
 * allowed on any page a passing test opened. Its `before` runs first, so the suite's own can use `suite.forum`.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  const opened: Watched[] = [];
  const suite = {
    open: async (opts: Parameters<typeof openPage>[2] = {}) => {
      const w = await openPage(suite.browser, suite.forum.url, opts);
      opened.push(w);
      return w;
    },
  } as BrowserSuite;
  before(async () => {
    ensureClientBuilt();
    [suite.forum, suite.browser] = await Promise.all([startTestForum(env), launch()]);
  });
  afterEach(async function () {
    const problems = opened.flatMap((w) => w.problems);
    await Promise.all(opened.map((w) => w.context.close()));
    opened.length = 0;
    if (this.currentTest?.state === 'passed') assert.deepEqual(problems, []);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.forum?.close();
  });
  return suite;
}
