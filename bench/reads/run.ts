// npm run bench:reads: what reading a thread costs, Chorus beside a bare node `http` server sending the very same
// bytes (each page fetched from Chorus once, then replayed), in one run, on a seeded 2,000-comment thread.
// Writes the "Reads" section of BENCHMARKS.md.
//
// Env: READS_SECONDS (10 per row and server), READS_ROUNDS (2: rows alternate Chorus and bare, round after round),
// READS_COMMENTS (2000), READS_PARTS (pages,pipeline), READS_WRITE=0 to only print.
import { writeBenchSection } from '../benchmarks-md';
import { medianBy } from '../stats';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCursor } from '../../server/db/cursor';
import { startEmbedded } from '../../server/db/embedded';
import { ask, cannon, children, CONNECTIONS, ROUNDS, SECONDS, spawnTs, stop, type Measured } from './harness';
import { pipelineSection, runPipeline } from './pipeline';
import { record, type Recordings } from './protocol';

const COMMENTS = Number(process.env.READS_COMMENTS ?? 2000);
const PARTS = (process.env.READS_PARTS ?? 'pages,pipeline').split(',');
const PAGE = 50;
/** Cold pages recorded for the baseline (Chorus's cold run starts after them, so it never repeats one). */
const COLD_SAMPLE = 40;
const POST_EVERY_MS = 100;
/** What a browser says it accepts: compression is part of what a reader is sent. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' };

interface Scenario {
  name: string;
  goal: number;
  /** Chorus's request paths, in order; `bare` is what the baseline is asked for (recorded from Chorus). */
  chorus: () => string;
  bare: () => string;
  headers: Record<string, string>;
  /** A separate client posts a comment every POST_EVERY_MS while the row runs. */
  posting?: boolean;
}

interface RowResult {
  name: string;
  goal: number;
  rounds: { chorus: Measured; bare: Measured; posts?: PostStats }[];
}

interface PostStats {
  sent: number;
  failed: number;
  p50: number;
}

const cycle = (paths: string[]) => {
  let i = 0;
  return () => paths[i++ % paths.length];
};

/** The i-th cold page: oldest and newest pages from every position, then every page size: never the same twice in a run. */
function coldPath(slug: string, i: number): string {
  const sort = i % 2 ? 'newest' : 'oldest';
  const n = Math.floor(i / 2);
  // A stride coprime with the thread's length visits every position before any repeats, scattered through it.
  const k = ((n * 7919) % COMMENTS) + 1;
  const limit = PAGE - (Math.floor(n / COMMENTS) % 30);
  return `/api/songs/${slug}/comments?limit=${limit}&sort=${sort}&cursor=${encodeCursor({ o: sort, k, i: '0'.repeat(24) })}`;
}

function startPoster(url: string, path: string, headers: Record<string, string>): { stop(): Promise<PostStats> } {
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const n = ++sent;
    const started = performance.now();
    const p = fetch(`${url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `Mixed-load comment ${n}: the thread keeps changing while it is read.` }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status >= 300) failed++;
        else latencies.push(performance.now() - started);
      })
      .catch(() => void failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, POST_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
      latencies.sort((a, b) => a - b);
      return { sent, failed, p50: latencies[Math.floor(latencies.length / 2)] ?? NaN };
    },
  };
}

interface Chorus {
  child: ChildProcess;
  url: string;
  slug: string;
  cookie: string;
}

async function startChorus(mongodbUri: string, dataDir: string): Promise<Chorus> {
  const child = spawnTs('chorus-server.ts', { mongodbUri, dbName: `reads_${Date.now()}`, comments: COMMENTS }, { READS_DATA_DIR: dataDir });
  children.push(child);
  const { url, slug, cookie } = (await ask(child, 'listening')) as Omit<Chorus, 'child'>;
  return { child, url, slug, cookie };
}

async function pages({ child: chorus, url, slug, cookie }: Chorus): Promise<RowResult[]> {
  const api = `/api/songs/${slug}/comments`;
  const hot = `${api}?limit=${PAGE}`;
  const deep = `${api}?limit=${PAGE}&cursor=${encodeCursor({ o: 'oldest', k: COMMENTS / 2, i: '0'.repeat(24) })}`;
  const song = `/songs/${slug}`;
  const member = { ...BROWSER, cookie };
  const mixed = [hot, `${api}?limit=${PAGE}&sort=newest`, song];
  const coldSample = Array.from({ length: COLD_SAMPLE }, (_, i) => coldPath(slug, i));
  let coldNext = COLD_SAMPLE;

  // The bytes the baseline replays: each page as Chorus sent it, with its headers.
  const recordings: Recordings = {};
  const rec = async (path: string, headers: Record<string, string>, line = `GET ${path}`, opts: { method?: string; body?: string } = {}) => {
    const r = await record(`${url}${path}`, { headers, ...opts });
    if (r.status >= 300) throw new Error(`${line}: Chorus answered ${r.status}`);
    recordings[line] = r;
  };
  for (const path of [hot, deep, ...mixed, ...coldSample]) await rec(path, BROWSER);
  // The signed-in page differs (the member's name, the form): the baseline replays it for requests with the cookie.
  const memberSong = `${song}?as=member`;
  recordings[`GET ${memberSong}`] = await record(`${url}${song}`, { headers: member });
  await rec(api, { ...member, 'content-type': 'application/json' }, `POST ${api}`, { method: 'POST', body: JSON.stringify({ body: 'The comment the baseline answers with.' }) });
  const bare = spawnTs('bare-server.ts', {});
  children.push(bare);
  const bareUrl = (await ask(bare, 'listening', { type: 'recordings', recordings })).url;

  const scenarios: Scenario[] = [
    { name: `API hot first page (limit ${PAGE})`, goal: 0.5, chorus: cycle([hot]), bare: cycle([hot]), headers: BROWSER },
    { name: `API deep page (cursor at comment ${COMMENTS / 2})`, goal: NaN, chorus: cycle([deep]), bare: cycle([deep]), headers: BROWSER },
    { name: 'song page HTML, anonymous', goal: 0.3, chorus: cycle([song]), bare: cycle([song]), headers: BROWSER },
    { name: 'song page HTML, signed in', goal: 0.15, chorus: cycle([song]), bare: cycle([memberSong]), headers: member },
    { name: 'API cold pages (every request a page not served before)', goal: NaN, chorus: () => coldPath(slug, coldNext++), bare: cycle(coldSample), headers: BROWSER },
    { name: `mixed: API oldest + newest + song page, a post every ${POST_EVERY_MS} ms`, goal: 0.2, chorus: cycle(mixed), bare: cycle(mixed), headers: BROWSER, posting: true },
  ];

  // Warm both up (JIT, connection pools) on the mixed paths before anything is measured.
  await cannon(chorus, url, cycle(mixed), BROWSER, 3);
  await cannon(bare, bareUrl, cycle(mixed), BROWSER, 3);

  const results: RowResult[] = scenarios.map((s) => ({ name: s.name, goal: s.goal, rounds: [] }));
  {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of scenarios.entries()) {
        console.log(`round ${round + 1}: ${s.name}...`);
        const measure = async (server: ChildProcess, base: string, next: () => string) => {
          const poster = s.posting ? startPoster(base, api, member) : null;
          const m = await cannon(server, base, next, s.headers);
          return { m, posts: await poster?.stop() };
        };
        const c = await measure(chorus, url, s.chorus);
        const b = await measure(bare, bareUrl, s.bare);
        results[i].rounds.push({ chorus: c.m, bare: b.m, posts: c.posts });
        console.log(`  chorus ${c.m.rps.toFixed(1)} req/s p99 ${c.m.p99} ms, ${Math.round(c.m.cpuUs)} us cpu/req; bare ${b.m.rps.toFixed(0)} req/s p99 ${b.m.p99} ms; ratio ${(c.m.rps / b.m.rps).toFixed(4)}`);
      }
    }
  }
  return results;
}

const fmt = (n: number) => (!Number.isFinite(n) ? '-' : n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));
const ratioOf = (r: RowResult['rounds'][number]) => r.chorus.rps / r.bare.rps;
const fmtRatio = (x: number) => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)) + 'x';

/** The round whose ratio is the median (the lower one of two): the figures shown come from one real run. */
function medianRound(row: RowResult) {
  return medianBy(row.rounds, ratioOf);
}

function pagesSection(rows: RowResult[]): string[] {
  const lines = [
    `On a ${COMMENTS.toLocaleString('en')}-comment thread (bulk-seeded as bench/threads/seed.ts does: comments, thread positions, song`,
    `counters) in a fresh embedded FerretDB; autocannon, ${CONNECTIONS} connections, ${SECONDS} s per row and server, requests saying`,
    `\`Accept-Encoding: ${BROWSER['accept-encoding']}\` as a browser does. Chorus runs as one real instance (startForum) in a child process,`,
    'logging at info (to /dev/null); the baseline is a bare node `http` server in another child process, replaying for each',
    'request line the exact bytes and headers Chorus sent for it (recorded once before the run). The cold row asks Chorus for a',
    'page and cursor it has not served in this run on every request (oldest and newest pages from every position, then every',
    `page size); the baseline replays ${COLD_SAMPLE} of them. The mixed row rotates three reads while a separate client posts a comment`,
    `to the thread every ${POST_EVERY_MS} ms as a signed-in member (to each server in turn). ${ROUNDS} round(s), rows alternating Chorus and`,
    'baseline; the figures are the round with the median ratio, every round\'s ratio in the last column but one. CPU µs/req',
    'is the server process\'s own CPU per answered request (Chorus\'s excludes the FerretDB process).',
    '',
    '| scenario | Chorus req/s | p50 ms | p99 ms | CPU µs/req | bare http req/s | p50 ms | p99 ms | CPU µs/req | Chorus / bare | every round | goal |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const m = medianRound(row);
    const goal = Number.isFinite(row.goal) ? `≥ ${row.goal}x` : row.name.startsWith('API cold') ? 'no slower than today' : '-';
    lines.push(
      `| ${row.name} | ${fmt(m.chorus.rps)} | ${m.chorus.p50} | ${m.chorus.p99} | ${fmt(m.chorus.cpuUs)} | ${fmt(m.bare.rps)} | ${m.bare.p50} | ${m.bare.p99} | ${fmt(m.bare.cpuUs)} | ${fmtRatio(ratioOf(m))} | ${row.rounds.map((r) => fmtRatio(ratioOf(r))).join(', ')} | ${goal}${row.goal === 0.2 ? ', p99 < 50 ms' : ''} |`,
    );
  }
  const mixed = rows.find((r) => r.rounds.some((x) => x.posts));
  const posts = mixed?.rounds.map((r) => r.posts).filter((p): p is PostStats => !!p) ?? [];
  if (posts.length) {
    lines.push('', `Mixed row, Chorus's posts: ${posts.map((p) => `${p.sent - p.failed}/${p.sent} stored, p50 ${fmt(p.p50)} ms`).join('; ')} (per round).`);
  }
  const met = rows.filter((r) => Number.isFinite(r.goal)).map((r) => `${r.name.split(' (')[0].split(':')[0]} ${ratioOf(medianRound(r)) >= r.goal ? 'met' : 'not met'}`);
  lines.push(
    '',
    'Reading these numbers:',
    `- Goals (Chorus / bare http): ${met.join('; ')}.`,
    '- Readers\' pages (the API rows and the anonymous song page) are answered from the versioned page cache',
    '  (server/cache): a hit is the slug\'s song id from memory, the thread\'s version (in process here; one Redis GET with',
    '  REDIS_URL) and bytes already compressed, so no database read, serialisation or compression. The signed-in song page',
    '  is the thread as every member sees it, kept per thread version as gzip parts, with the member\'s header and block put',
    '  between them per request (server/web/memberReads.tsx, before Express: the signed cookie, the session and member',
    '  record from memory, the cookie renewed); it goes as gzip, not brotli, so its bytes are a little larger.',
    '- A miss rebuilds the page from the thread store, which on the embedded database keeps thread positions and comment',
    '  records across versions (server/comments/store/records.ts): every write logs the ids of the comments it changed',
    '  with its version bump, and a rebuild drops those records (all of the thread\'s when the log cannot tell) and reads',
    '  them again. So a rebuild after a post reads the song, the check past the last position and the picks, and for a',
    '  page that shows the new comment its position and record: 3 lookups for the oldest API page, 5 for the newest, 7',
    '  for the song page (which also reads the newest comment\'s id), instead of ~50 positions and ~50 comments each;',
    '  then gzip and brotli once. A cold page reads the positions and comments no earlier page kept. In the mixed row',
    '  every post (every 100 ms) moves the thread\'s version, so the next read of each of the three pages waits for one',
    '  such rebuild: that wait is its p99.',
    '- The machine is shared (2 cores, other test suites running): req/s and p99 move a lot between runs; the ratio in',
    '  the same run and the CPU per request are the figures to read.',
  );
  return lines;
}


async function main() {
  const began = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'chorus-reads-'));
  const db = await startEmbedded({ dataDir: join(dataDir, 'db') });
  const lines: string[] = [];
  try {
    const chorus = await startChorus(db.uri, dataDir);
    // The pages the per-request costs are measured on, as a reader without compression is sent them.
    const bodies = {
      json: (await record(`${chorus.url}/api/songs/${chorus.slug}/comments?limit=${PAGE}`)).body,
      html: (await record(`${chorus.url}/songs/${chorus.slug}`)).body,
    };
    if (PARTS.includes('pages')) lines.push(...pagesSection(await pages(chorus)));
    await stop(chorus.child);
    if (PARTS.includes('pipeline')) lines.push('', ...pipelineSection(await runPipeline(db.uri, dataDir, bodies)));
  } finally {
    await Promise.all(children.map(stop));
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
  const text = [
    '## Reads (pages against bare http)',
    '',
    `Command: \`npm run bench:reads\` (bench/reads/run.ts; env READS_SECONDS, READS_ROUNDS, READS_PARTS=pages,pipeline). Machine: ${machine}.`,
    `Run: ${new Date().toISOString().slice(0, 16)}Z, ${Math.round((performance.now() - began) / 1000)} s in all.`,
    '',
    ...lines,
  ].join('\n') + '\n';
  console.log('\n' + text);
  if (process.env.READS_WRITE !== '0') writeBenchSection('## Reads (pages against bare http)', text, { after: '## Threads' });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
