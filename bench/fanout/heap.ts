// npm run bench:fanout-heap: where an idle reader's memory goes, the forum beside the bare ws server and a bare
// socket.io server with the forum's options (sio-server.ts: what socket.io itself keeps per connection). Each server runs
// in its own process (with --expose-gc); a heap snapshot is taken before HEAP_READERS readers connect (and, for the
// forum, join one thread) and another after they have settled, and heap-snapshot.ts sums what the readers hold by
// constructor. Writes the "Live fan-out: memory per idle reader" section of BENCHMARKS.md (HEAP_WRITE=0: print only).
import { writeBenchSection } from '../benchmarks-md';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../../server/db/embedded';
import { request, spawnTs } from './children';
import { readersMemory, type Retained } from './heap-snapshot';
import type { FromReaders, Kind, ReadersConfig } from './protocol';

const READERS = Number(process.env.HEAP_READERS ?? 500);
const PASSWORD = 'fanout-bench-password';
const SHOWN = 14;
const SHOWN_FIELDS = 24;
const WARM_UP = 200;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** A thread to read on the forum: its admin signs in and makes a song. */
async function forumThread(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'poster', password: PASSWORD }) });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const song = await fetch(`${url}/api/songs`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ title: 'Heap', artist: 'The Benchmarks' }) });
  return ((await song.json()) as { slug: string }).slug;
}

/** The servers measured: bare ws, bare socket.io, the forum. */
type Measure = 'ws' | 'sio' | 'forum';
const LABEL: Record<Measure, string> = { ws: 'bare ws', sio: 'bare socket.io (forum\'s options)', forum: 'forum (socket.io)' };

interface Measured {
  server: Measure;
  heapPerReader: number;
  total: number;
  rows: Retained[];
  fields: Retained[];
}

async function measure(measured: Measure, mongodbUri: string, dir: string): Promise<Measured> {
  const kind: Kind = measured === 'ws' ? 'ws' : 'socketio';
  const server =
    measured === 'ws'
      ? spawnTs('ws-server.ts', {}, {}, { gc: true })
      : measured === 'sio'
        ? spawnTs('sio-server.ts', {}, {}, { gc: true })
        : spawnTs('forum-server.ts', { mongodbUri, dbName: `heap_${Date.now()}`, password: PASSWORD }, { FANOUT_DATA_DIR: dir, REDIS_URL: '' }, { gc: true });
  const { url } = await request<{ url: string }>(server, 'listening');
  const slug = measured === 'forum' ? await forumThread(url) : 'none';
  // A first crowd comes and goes before anything is measured, so the code its connections compile (and, on the
  // forum, the recovery state its readers leave, kept 2 minutes) is in both snapshots, not counted as readers' memory.
  const warmUp = spawnTs('readers.ts', { kind, url, slug, count: WARM_UP, concurrency: 50 } satisfies ReadersConfig);
  await request(warmUp, 'ready');
  warmUp.send({ type: 'close' });
  await new Promise((r) => warmUp.once('exit', r));
  await sleep(1000);
  const before = join(dir, `${measured}-0.heapsnapshot`);
  const after = join(dir, `${measured}-${READERS}.heapsnapshot`);
  const a = await request<{ heapUsed: number }>(server, 'heap', { type: 'heap', path: before });
  const readers = spawnTs('readers.ts', { kind, url, slug, count: READERS, concurrency: 50 } satisfies ReadersConfig);
  const ready = await request<Extract<FromReaders, { type: 'ready' }>>(readers, 'ready');
  if (ready.connected !== READERS) throw new Error(`${measured}: ${ready.connected} of ${READERS} readers connected`);
  await sleep(2000);
  const b = await request<{ heapUsed: number }>(server, 'heap', { type: 'heap', path: after });
  readers.send({ type: 'close' });
  server.send({ type: 'close' });
  await Promise.all([readers, server].map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))));
  const { total, rows, fields } = readersMemory(before, after, READERS);
  return { server: measured, heapPerReader: (b.heapUsed - a.heapUsed) / READERS, total, rows, fields };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(2);

function section(results: Measured[]): string {
  const lines = [
    '## Live fan-out: memory per idle reader',
    '',
    'Command: `npm run bench:fanout-heap` (bench/fanout/heap.ts; env HEAP_READERS). Each server in its own process with',
    `--expose-gc. After ${WARM_UP} readers came and went (so code compiled for connections is not counted), a heap snapshot`,
    `(after a full collection) before ${READERS} readers connect, and one after they have connected, joined the thread`,
    '(socket.io: a room on the bare server) and settled for 2 s. The bare socket.io server (bench/fanout/sio-server.ts) has',
    'the forum\'s engine options and connection state recovery and none of its code. "Retained" is what the readers\'',
    'objects hold (their retained sizes in the dominator tree, counting each object new in the second snapshot whose',
    `dominator is not new itself), per reader, by constructor; the ${SHOWN} largest are shown. Heap only: the RSS columns`,
    'of the fan-out table also count native memory.',
    `Run: ${new Date().toISOString().slice(0, 16)}Z.`,
    '',
    '| server | heap used / reader KB | retained / reader KB | heap used / bare ws |',
    '| --- | ---: | ---: | ---: |',
    ...results.map((r) => `| ${LABEL[r.server]} | ${kb(r.heapPerReader)} | ${kb(r.total)} | ${(r.heapPerReader / results[0].heapPerReader).toFixed(2)}x |`),
  ];
  for (const r of results) {
    const label = LABEL[r.server];
    lines.push('', `${label[0].toUpperCase()}${label.slice(1)}, retained per reader by constructor:`, '', '| constructor | objects / reader | bytes / reader |', '| --- | ---: | ---: |');
    for (const row of r.rows.slice(0, SHOWN)) lines.push(`| ${row.what.replace(/\|/g, '\\|')} | ${row.count.toFixed(2)} | ${Math.round(row.bytes)} |`);
  }
  const forum = results.find((r) => r.server === 'forum');
  if (forum) {
    lines.push(
      '',
      `Forum, the ${SHOWN_FIELDS} largest parts of those objects: each object's own size, and what each of its fields holds (retained, per reader).`,
      'The same names (Socket, WebSocket) belong to different libraries, told apart by a field only one of them has.',
      '',
      '| object.field | bytes / reader |',
      '| --- | ---: |',
      ...forum.fields.slice(0, SHOWN_FIELDS).map((f) => `| ${f.what.replace(/\|/g, '\\|')} | ${Math.round(f.bytes)} |`),
    );
  }
  return lines.join('\n') + '\n';
}


const dir = mkdtempSync(join(tmpdir(), 'chorus-heap-'));
const db = await startEmbedded({ dataDir: join(dir, 'db') });
try {
  const results = [await measure('ws', db.uri, dir), await measure('sio', db.uri, dir), await measure('forum', db.uri, dir)];
  const text = section(results);
  console.log('\n' + text);
  if (process.env.HEAP_WRITE !== '0') writeBenchSection('## Live fan-out: memory per idle reader', text, { after: '## Live fan-out (socket.io)' });
} finally {
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
