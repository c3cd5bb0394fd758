// The reads bench's second part: what each piece of the request pipeline costs per request, before issue #10 and
// now, measured as the server process's CPU per request while autocannon asks for the same recorded page
// (pipeline-server.ts holds the apps). A piece's cost is its app's CPU per request less the bare Express app's.
import { median } from '../stats';
import { ask, cannon, children, ROUNDS, spawnTs, stop, type Measured } from './harness';

const SECONDS = Number(process.env.READS_PIPELINE_SECONDS ?? 5);

export type Variant =
  | 'express'
  | 'logging-before'
  | 'logging-before-debug'
  | 'logging'
  | 'headers-before'
  | 'headers'
  | 'compression'
  | 'session-before'
  | 'session'
  | 'chain-before'
  | 'chain';

interface Case {
  label: string;
  variant: Variant;
  page: 'json' | 'html';
  gzip?: boolean;
  member?: boolean;
}

const CASES: Case[] = [
  { label: 'Express alone, sending the API page (the reference)', variant: 'express', page: 'json' },
  { label: 'request logging before: pino-http, every request at info', variant: 'logging-before', page: 'json' },
  { label: 'request logging: pino-http with reads at debug', variant: 'logging-before-debug', page: 'json' },
  { label: 'request logging now (http/logging.ts: reads at debug, nothing made per request)', variant: 'logging', page: 'json' },
  { label: "security headers before: helmet's middleware chain per request", variant: 'headers-before', page: 'json' },
  { label: "security headers now: helmet's headers worked out once", variant: 'headers', page: 'json' },
  { label: 'compression() on the API page (gzip asked)', variant: 'compression', page: 'json', gzip: true },
  { label: 'Express alone, sending the song page (the reference)', variant: 'express', page: 'html' },
  { label: 'compression() on the song page (gzip asked)', variant: 'compression', page: 'html', gzip: true },
  { label: 'session + passport before, anonymous', variant: 'session-before', page: 'json' },
  { label: 'session + passport now, anonymous', variant: 'session', page: 'json' },
  { label: 'session + passport before, signed in', variant: 'session-before', page: 'json', member: true },
  { label: 'session + passport now, signed in', variant: 'session', page: 'json', member: true },
  { label: "the whole chain before, anonymous (no gzip asked)", variant: 'chain-before', page: 'json' },
  { label: "the forum's whole chain now (createApp), anonymous (no gzip asked)", variant: 'chain', page: 'json' },
  { label: 'the whole chain before, signed in, gzip asked', variant: 'chain-before', page: 'json', gzip: true, member: true },
  { label: "the forum's whole chain now, signed in, gzip asked", variant: 'chain', page: 'json', gzip: true, member: true },
];

type FromPipeline =
  | { type: 'ready'; urls: Record<Variant, string>; cookie: string; micro: Record<string, number> }
  | { type: 'cpu'; user: number; system: number }
  | { type: 'counts'; reads: number; writes: number };

export interface CaseResult {
  label: string;
  /** The line runs the session stack: its session round trips are shown. */
  sessions: boolean;
  page: Case['page'];
  runs: Measured[];
  /** Round trips to the sessions collection per request, over every round. */
  store: { reads: number; writes: number };
}

export interface PipelineResult {
  cases: CaseResult[];
  /** In-process µs per response of the security headers, before and now. */
  micro: Record<string, number>;
}

export async function runPipeline(mongodbUri: string, dataDir: string, bodies: { json: string; html: string }): Promise<PipelineResult> {
  const child = spawnTs('pipeline-server.ts', {}, { READS_DATA_DIR: dataDir });
  children.push(child);
  const setup = { mongodbUri, dbName: `reads_pipeline_${Date.now()}`, ...bodies };
  const { urls, cookie, micro } = await ask<FromPipeline, 'ready'>(child, 'ready', { type: 'setup', setup });
  const results: CaseResult[] = CASES.map((c) => ({ label: c.label, sessions: /session|chain/.test(c.variant), page: c.page, runs: [], store: { reads: 0, writes: 0 } }));
  const requests = CASES.map(() => 0);
  const path = (c: Case) => (c.page === 'json' ? '/api/page.json' : '/page.html');
  const headers = (c: Case) => ({ ...(c.gzip ? { 'accept-encoding': 'gzip, deflate, br' } : {}), ...(c.member ? { cookie } : {}) });
  // Warm every app up (JIT) before anything is measured.
  for (const c of CASES) await cannon(child, urls[c.variant], () => path(c), headers(c), 1);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of CASES.entries()) {
      const before = await ask<FromPipeline, 'counts'>(child, 'counts', { type: 'counts' });
      const m = await cannon(child, urls[c.variant], () => path(c), headers(c), SECONDS);
      const after = await ask<FromPipeline, 'counts'>(child, 'counts', { type: 'counts' });
      results[i].runs.push(m);
      requests[i] += m.answered;
      for (const k of ['reads', 'writes'] as const) results[i].store[k] += after[k] - before[k];
      console.log(`pipeline round ${round + 1}: ${c.label}: ${Math.round(m.rps)} req/s, ${m.cpuUs.toFixed(1)} us cpu/req`);
    }
  }
  await stop(child);
  for (const [i, r] of results.entries()) for (const k of ['reads', 'writes'] as const) r.store[k] /= Math.max(1, requests[i]);
  return { cases: results, micro };
}

const perReq = (n: number) => (n === 0 ? '0' : n.toFixed(2));

export function pipelineSection({ cases: results, micro }: PipelineResult): string[] {
  const reference = (page: CaseResult['page']) => median(results.find((r) => r.page === page && r.label.startsWith('Express alone'))!.runs.map((m) => m.cpuUs));
  const lines = [
    '### Per-request costs of the pipeline',
    '',
    `Same command (part "pipeline"). One small Express app per line, in one child process, answering with the recorded API page`,
    `(${'JSON'}) or song page (HTML) behind one piece of the forum's middleware, as it was before issue #10 or as it is now (the`,
    'pieces are the forum\'s own: server/http/logging.ts, http/security.ts, accounts/session.ts, app.ts; the "before" ones rebuilt',
    `from the same options). autocannon, 8 connections, ${SECONDS} s per line, ${ROUNDS} round(s); CPU µs/req is the server process's`,
    'CPU per answered request (median round), "cost" that less the bare Express app sending the same page. Session reads and',
    'writes are the round trips connect-mongo makes to the sessions collection (passport\'s read of the member is not one).',
    '',
    '| piece | req/s | CPU µs/req | cost µs/req | session reads / writes per request |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const cpu = median(r.runs.map((m) => m.cpuUs));
    const rps = median(r.runs.map((m) => m.rps));
    const isRef = r.label.startsWith('Express alone');
    const store = r.sessions ? `${perReq(r.store.reads)} / ${perReq(r.store.writes)}` : '';
    lines.push(`| ${r.label} | ${Math.round(rps).toLocaleString('en')} | ${cpu.toFixed(0)} | ${isRef ? '-' : (cpu - reference(r.page)).toFixed(0)} | ${store} |`);
  }
  lines.push(
    '',
    `Too small for the server runs to tell apart from noise, so also timed in process on real response objects (median of`,
    `5 x 20,000): the security headers cost ${micro['headers-before'].toFixed(1)} µs per response through helmet's chain, ${micro.headers.toFixed(1)} µs as the list worked out once`,
    '(nearly all of it is Node validating and storing eleven headers, which both do).',
    `The read limit (READ_LIMIT_PER_MINUTE, in memory here; a Redis command with REDIS_URL) costs ${micro.reads.toFixed(1)} µs per request the`,
    "app answers (cache hits never reach it), timed the same way; the forum's whole chain above includes it.",
    '',
    'Reading these numbers:',
    '- Request logging: pino-http made two child loggers per request, serialising the request and its headers, whether',
    '  or not a line was then written; http/logging.ts writes one line when the response ends, at debug for a successful',
    '  read, and makes nothing before it knows the line is wanted.',
    '- Sessions: an anonymous read no longer makes, hashes and drops an empty session. A signed-in read costs the one',
    '  session read and no write (connect-mongo\'s touchAfter; the Redis store now does the same), plus passport\'s read of',
    '  the member by id, a second database round trip: about a millisecond of CPU together on this machine, the largest',
    '  cost left on a signed-in read.',
    '- compression() gzips every answer anew: the largest cost of a hot read after the database. Readers\' pages skip it:',
    '  the page cache keeps them as gzip and brotli bytes (server/cache/send.ts); what is made per request still pays it.',
  );
  return lines;
}
