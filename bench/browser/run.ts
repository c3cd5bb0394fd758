// npm run bench:browser — post to appearance between two Chromium pages: a signed-in writer submits the comment form,
// a reader on the same song sees the comment in its thread. RUNS runs of POSTS posts each, on a fresh embedded
// FerretDB (no Redis). Writes the "Browser: post to appearance" table of BENCHMARKS.md (the bundle figures after it
// stay as they are). BENCH_RUNS and BENCH_POSTS change the counts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { benchConfig } from '../forum-config';
import { startEmbedded } from '../../server/db/embedded';
import { startForum } from '../../server/forum';
import { createSong } from '../../server/songs/service';
import { ensureClientBuilt, launch, openPage, waitLive } from '../../test/browser/browser';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POSTS = Number(process.env.BENCH_POSTS ?? 10);
const root = join(import.meta.dirname, '..', '..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Milliseconds from the writer's submit to the reader's thread showing the text, per post. */
async function timePosts(writer: Page, reader: Page, label: string, posts: number): Promise<number[]> {
  const delays: number[] = [];
  for (let i = 0; i < posts; i++) {
    const text = `${label} post ${i} ${Date.now()}`;
    // A string, not a function: tsx would wrap named functions in helpers the page lacks.
    const seen = reader.evaluate(`new Promise((resolve) => {
      const t = ${JSON.stringify(text)};
      const obs = new MutationObserver(() => {
        if ([...document.querySelectorAll('[data-role="thread"] [data-role="comment-body"]')].some((e) => e.textContent.includes(t))) {
          obs.disconnect();
          resolve(Date.now());
        }
      });
      obs.observe(document.body, { childList: true, subtree: true, characterData: true });
    })`) as Promise<number>;
    // The reader sits at the end of the thread, where new comments join it directly.
    await reader.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await writer.fill('form[data-role="comment-form"] textarea[name="body"]', text);
    const t0 = await writer.evaluate(() => {
      const t = Date.now();
      (document.querySelector('form[data-role="comment-form"]') as HTMLFormElement).requestSubmit();
      return t;
    });
    delays.push((await seen) - t0);
    await writer.waitForFunction(() => !document.querySelector('.comment.pending'));
  }
  return delays;
}

async function main() {
  ensureClientBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'chorus-bench-browser-'));
  const db = await startEmbedded({ dataDir: join(dir, 'db') });
  const config = benchConfig({ DATA_DIR: dir });
  const forum = await startForum({ config, logger: pino({ level: 'silent' }), mongodbUri: db.uri, dbName: 'bench_browser' });
  const browser = await launch();
  const runs: number[][] = [];
  const machine = { chromium: browser.version(), load: loadavg()[0] };
  try {
    const res = await fetch(`${forum.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: forum.url },
      body: JSON.stringify({ username: 'bench_writer', password: 'violet kettle harbour midnight 7', displayName: 'Writer' }),
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus.sid='))!.split(';')[0];
    const admin = { id: '000000000000000000000001', username: 'admin', displayName: 'Admin', location: null, role: 'admin' as const, createdAt: new Date().toISOString() };
    const song = await createSong(forum.deps, admin, { title: 'Waterloo Sunset', artist: 'The Kinks', album: 'Something Else by the Kinks', year: 1967 });

    for (let r = 0; r < RUNS; r++) {
      const writer = await openPage(browser, forum.url, { cookie });
      const reader = await openPage(browser, forum.url);
      await Promise.all([writer.page.goto(`/songs/${song.slug}`), reader.page.goto(`/songs/${song.slug}`)]);
      await Promise.all([waitLive(writer.page), waitLive(reader.page)]);
      await reader.page.waitForSelector('.presence');
      // One untimed post first, as in pages a reader has had open a while (the first one pays for warming up).
      await timePosts(writer.page, reader.page, `warm-up ${r + 1}`, 1);
      const delays = await timePosts(writer.page, reader.page, `run ${r + 1}`, POSTS);
      const problems = [...writer.problems, ...reader.problems];
      if (problems.length) throw new Error(`the pages reported problems: ${problems.join('; ')}`);
      await Promise.all([writer.context.close(), reader.context.close()]);
      runs.push(delays);
      const sorted = [...delays].sort((a, b) => a - b);
      console.log(`run ${r + 1}: p50 ${pct(sorted, 0.5)} ms, max ${sorted.at(-1)} ms (${delays.join(', ')})`);
    }
  } finally {
    await browser.close();
    await forum.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  write(runs, machine);
}

function write(runs: number[][], machine: { chromium: string; load: number }) {
  const all = runs.flat().sort((a, b) => a - b);
  const row = (name: string, d: number[]) => {
    const s = [...d].sort((a, b) => a - b);
    return `| ${name} | ${pct(s, 0.5)} | ${s.at(-1)} |`;
  };
  const section = [
    'Command: `npm run bench:browser` (bench/browser/run.ts; env BENCH_RUNS, BENCH_POSTS).',
    `Two Chromium ${machine.chromium.split('.')[0]} pages (Debian's /usr/bin/chromium, headless, through playwright-core) on one song`,
    'of a forum on a fresh embedded FerretDB (no Redis). The writer, signed in, submits the comment form',
    "(`requestSubmit()`, timestamped in the page); the reader, scrolled to the end of the thread, timestamps the moment a",
    "MutationObserver sees the comment's text in `[data-role=\"thread\"]`. Both clocks are the same machine's.",
    `${POSTS} posts per run after one untimed post, ${RUNS} runs one after another, each with two fresh pages; ${cpus().length} cores (load average`,
    `${machine.load.toFixed(1)} at the start), Node ${process.version}. Path measured: optimistic render in the writer, HTTP POST,`,
    "database write, bus, socket.io room broadcast, reader's websocket, reconcile and render. The browser tests check that",
    `the comment arrives, once; they do not time it. Run: ${new Date().toISOString().slice(0, 16)}Z.`,
    '',
    '| run | p50 ms | max ms |',
    '| --- | ---: | ---: |',
    ...runs.map((d, i) => row(String(i + 1), d)),
    row(`all ${all.length} posts`, all),
  ].join('\n');
  console.log(`\n${section}\n`);
  const file = join(root, 'BENCHMARKS.md');
  const md = readFileSync(file, 'utf8');
  const heading = '## Browser: post to appearance in a second browser';
  const start = md.indexOf(heading);
  // The bundle figures that follow the table in this section are the build's, not this benchmark's.
  const keep = start < 0 ? -1 : md.indexOf("The song page's JavaScript", start);
  if (start < 0 || keep < 0) return console.warn(`BENCHMARKS.md has no "${heading}" section with its bundle paragraph; not written`);
  writeFileSync(file, `${md.slice(0, start)}${heading}\n\n${section}\n\n${md.slice(keep)}`);
  console.log('BENCHMARKS.md: Browser section written');
}

await main();
