// npm run bench:queries — the embedded database's filters on indexed fields, as FerretDB serves them upstream (a
// scan of the collection for anything but a lone _id equality) and as Chorus's build serves them
// (db/ferretdb/sqlite-pushdown: from the index), side by side in one run: two embedded servers on the same
// documents, queried in turn. The baseline is a lookup by _id, which both always served from the index.
// Then the database's own CPU time per operation (a lookup, an insert, a counter move), from /proc, on both servers:
// what the patches that trim FerretDB's per-statement work save (scripts/build-ferretdb.mjs, 4 and 5).
// Env: QUERIES_SIZES (documents per collection, default 1000,10000,30000), QUERIES_OPS (operations per
// measurement, default 3000), QUERIES_WRITE=0 to only print.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { userModel } from '../../server/accounts/model';
import { commentModel, voteModel } from '../../server/comments/model';
import { startEmbedded, type EmbeddedDatabase } from '../../server/db/embedded';
import type { Database } from '../../server/db/connection';
import { notificationModel } from '../../server/notifications/model';
import { createSongActivityOrder, type SongActivityOrder } from '../../server/songs/activity-order';
import { songModel } from '../../server/songs/model';
import { listSongs, readSongActivity } from '../../server/songs/service';
import { writeBenchSection } from '../benchmarks-md';
import { median } from '../stats';

const SIZES = (process.env.QUERIES_SIZES ?? '1000,10000,30000').split(',').map(Number);
const OPS = Number(process.env.QUERIES_OPS ?? 3000);
const MEMBERS = 300;
const THREADS = 50;

interface Server {
  mode: 'upstream' | 'chorus';
  db: EmbeddedDatabase;
  conn: Connection;
  dir: string;
}

async function start(mode: Server['mode']): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `bench-queries-${mode}-`));
  // The server reads the switch once, from the environment it is started with.
  process.env.CHORUS_FERRETDB = mode === 'upstream' ? 'upstream' : '';
  const db = await startEmbedded({ dataDir: join(dir, 'db') });
  delete process.env.CHORUS_FERRETDB;
  const conn = await mongoose.createConnection(db.uri, { dbName: 'bench' }).asPromise();
  await Promise.all([notificationModel(conn).init(), commentModel(conn).init(), userModel(conn).init(), voteModel(conn).init()]);
  return { mode, db, conn, dir };
}

const oid = (n: number) => new mongoose.Types.ObjectId(n.toString(16).padStart(24, '0'));
const member = (i: number) => String(oid(1_000_000 + (i % MEMBERS)));

/** The same documents in both servers: notifications, comments (a reply to an earlier one in four), members, votes. */
async function fill(servers: Server[], from: number, to: number) {
  const notes = [], comments = [], users = [], votes = [], songs = [];
  for (let i = from; i < to; i++) {
    notes.push({ _id: oid(i + 1), key: `k${i}`, userId: member(i), kind: 'reply', commentId: oid(5_000_000 + i), songId: oid(9_000_000 + (i % THREADS)), read: i % 3 === 0, createdAt: new Date() });
    comments.push({
      _id: oid(5_000_000 + i), songId: oid(9_000_000 + (i % THREADS)), seq: i + 1, parentId: i % 4 === 3 ? oid(5_000_000 + (i % 97)) : null, status: 'visible', idemKey: `c${i}`,
      author: { name: `Member ${i % MEMBERS}`, location: null, userId: member(i) }, body: `Comment ${i} `.repeat(8), clientId: null, score: 0, replyCount: 0, heldFor: [], guestTokenHash: null, createdAt: new Date(),
    });
    votes.push({ _id: `${oid(5_000_000 + i)}:${member(i + 1)}`, commentId: oid(5_000_000 + i), userId: member(i + 1), value: 1, updatedAt: new Date() });
    if (i % 3 === 0)
      songs.push({
        _id: oid(9_000_000 + i), title: `Song ${i}`, artist: `Artist ${i % 300}`, slug: `song-${i}`, searchKey: `song ${i} artist ${i % 300}`, featuring: [], album: 'An Album', year: 1990,
        charts: [{ region: 'UK', peak: 3 }], facts: Array.from({ length: 6 }, (_, j) => `Fact ${j} about song ${i}, in a sentence or two as a song page has them. `.repeat(2)),
        commentCount: i % 50, lastSeq: i % 50, lastCommentAt: null, activityAt: new Date(Date.now() - i * 1000), createdAt: new Date(),
      });
    if (i % 10 === 0) users.push({ _id: oid(2_000_000 + i), username: `member${i}`, usernameKey: `member${i}`, displayName: `Member ${i}`, displayNameKey: `member ${i}`, role: 'member', createdAt: new Date() });
  }
  for (const s of servers) {
    for (const [model, docs] of [[notificationModel(s.conn), notes], [commentModel(s.conn), comments], [voteModel(s.conn), votes], [userModel(s.conn), users], [songModel(s.conn), songs]] as const) {
      for (let i = 0; i < docs.length; i += 1000) await (model.collection as mongoose.mongo.Collection).insertMany(docs.slice(i, i + 1000) as never[]);
    }
  }
}

/** The queries the forum runs, at `size` documents. */
function queries(size: number): [string, (c: Connection, i: number) => Promise<unknown>][] {
  const some = (i: number) => 5_000_000 + ((i * 7919) % size);
  return [
    ['a notification by _id (baseline: the index, upstream too)', (c, i) => notificationModel(c).findOne({ _id: oid(1 + ((i * 7919) % size)) }).lean()],
    ["a member's unread count", (c, i) => notificationModel(c).countDocuments({ userId: member(i), read: false })],
    ["a member's notifications page", (c, i) => notificationModel(c).find({ userId: member(i) }).sort({ _id: -1 }).limit(21).lean()],
    ["a comment's replies", (c, i) => commentModel(c).find({ parentId: oid(5_000_000 + (i % 97)), status: mongoose.trusted({ $in: ['visible', 'removed'] }) }).sort({ seq: 1 }).limit(51).lean()],
    ["a member's comments page (profile)", (c, i) => commentModel(c).find({ 'author.userId': member(i), status: 'visible' }).sort({ _id: -1 }).limit(21).lean()],
    // Upstream the list is the database's sort; Chorus keeps the order in memory (songs/activity-order.ts), built
    // before timing as a running forum has it, and reads the page's songs by _id.
    ['the song list, first page (the home page)', (c) => listSongs({ db: dbOf(c), songOrder: orders.get(c) ?? null }, { limit: 20 })],
    ['a member by username (login)', (c, i) => userModel(c).findOne({ usernameKey: `member${((i * 7919) % (size / 10)) * 10}` }).lean()],
    ['20 comments by _id ($in)', (c, i) => commentModel(c).find({ _id: mongoose.trusted({ $in: Array.from({ length: 20 }, (_, j) => oid(some(i + j))) }) }).lean()],
    ["a member's votes on 50 comments ($in)", (c, i) => voteModel(c).find({ _id: mongoose.trusted({ $in: Array.from({ length: 50 }, (_, j) => `${oid(some(i + j))}:${member(i)}`) }) }).lean()],
  ];
}

/** What listSongs asks of its deps: the connection, and whether a set of _ids is served from the index. */
const dbOf = (conn: Connection) => ({ conn, idSetsFromIndex: async () => true }) as unknown as Database;
/** Chorus's song order per server connection (the upstream one has none: it sorts in the database). */
const orders = new Map<Connection, SongActivityOrder>();

/** p50 of a query, run back to back: at least 3 times, then until 30 runs or 3 s. */
async function p50(c: Connection, q: (c: Connection, i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  const end = performance.now() + 3000;
  for (let i = 0; i < 30 && (i < 3 || performance.now() < end); i++) {
    const t0 = performance.now();
    await q(c, i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** A process's CPU time so far (user + system), in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** The forum's single-document operations, each on a comment of the filled collection or a new one. */
function operations(size: number): [string, (c: Connection, i: number) => Promise<unknown>][] {
  const some = (i: number) => oid(5_000_000 + ((i * 7919) % size));
  let inserted = 0;
  return [
    ['a comment by _id', (c, i) => commentModel(c).collection.findOne({ _id: some(i) })],
    ['a new comment (insert, with its indexes)', (c, i) => commentModel(c).collection.insertOne({
      _id: new mongoose.Types.ObjectId(), songId: oid(9_000_000 + (i % THREADS)), seq: size + ++inserted, parentId: null, status: 'visible', idemKey: `new${inserted}`,
      author: { name: 'Member', location: null, userId: member(i) }, body: `A new comment ${i} `.repeat(8), clientId: null, score: 0, replyCount: 0, heldFor: [], guestTokenHash: null, createdAt: new Date(),
    })],
    ["a vote counted ($inc on a comment's score)", (c, i) => commentModel(c).collection.updateOne({ _id: some(i) }, { $inc: { score: 1 } })],
  ];
}

/** The server's CPU time and the wall time per operation, over OPS operations, 4 at a time (the forum's pool does). */
async function perOperation(s: Server, op: (c: Connection, i: number) => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const pid = s.db.pid!;
  const [c0, t0] = [cpuMs(pid), performance.now()];
  let next = 0;
  await Promise.all([0, 1, 2, 3].map(async () => {
    while (next < OPS) await op(s.conn, next++);
  }));
  return { cpu: ((cpuMs(pid) - c0) * 1000) / OPS, wall: ((performance.now() - t0) * 1000) / OPS };
}

const servers = [await start('upstream'), await start('chorus')];
const rows: string[] = [];
const opRows: string[] = [];
let filled = 0;
try {
  for (const size of SIZES) {
    await fill(servers, filled, size);
    filled = size;
    const order = createSongActivityOrder(readSongActivity({ db: dbOf(servers[1].conn) }), { ttlMs: 3_600_000 });
    await order.page(1, null, '');
    orders.set(servers[1].conn, order);
    let baseline = 0;
    for (const [name, q] of queries(size)) {
      // In turn: upstream, then patched, so both see the machine alike.
      const [up, ours] = [await p50(servers[0].conn, q), await p50(servers[1].conn, q)];
      if (!baseline) baseline = ours;
      const row = `| ${name} | ${size} | ${up.toFixed(2)} | ${ours.toFixed(2)} | ${(up / ours).toFixed(0)}x | ${(ours / baseline).toFixed(1)}x |`;
      console.log(row);
      rows.push(row);
    }
  }
  const size = SIZES[SIZES.length - 1];
  for (const [name, op] of operations(size)) {
    const runs: { cpu: number; wall: number }[][] = [[], []];
    // Three rounds, in turn, so that both servers see the machine alike; the median of each.
    for (let round = 0; round < 3; round++) for (const [k, s] of servers.entries()) runs[k].push(await perOperation(s, op));
    const [up, ours] = runs.map((r) => ({ cpu: median(r.map((x) => x.cpu)), wall: median(r.map((x) => x.wall)) }));
    const row = `| ${name} | ${up.cpu.toFixed(0)} | ${ours.cpu.toFixed(0)} | ${(up.cpu / ours.cpu).toFixed(2)}x | ${up.wall.toFixed(0)} | ${ours.wall.toFixed(0)} |`;
    console.log(row);
    opRows.push(row);
  }
} finally {
  for (const s of servers) {
    await s.conn.close();
    await s.db.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

const text = [
  '## Embedded database: filters on indexed fields',
  '',
  'Command: `npm run bench:queries` (bench/queries/run.ts; env QUERIES_SIZES).',
  `Run of ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Node ${process.version}: two embedded servers on the same documents, queried in`,
  'turn, one query at a time, p50 of up to 30 runs. "Upstream" is the same binary serving as FerretDB v1.24.2 does (CHORUS_FERRETDB=upstream):',
  'SQLite is handed a WHERE clause only for a lone `_id` equality, so every other filter reads and decodes the whole',
  'collection, and FerretDB serves nothing else meanwhile. "Chorus" is the build the forum runs',
  '(db/ferretdb/sqlite-pushdown): `_id` or the first field that leads one of the collection\'s indexes goes to SQLite as an',
  'equality or `$in` (FerretDB still applies the whole filter to what comes back). Documents per collection: notifications',
  `of ${MEMBERS} members, comments in ${THREADS} threads (a quarter are replies), one vote per comment, a member per ten,`,
  'a song (with six facts) per three. The song list row is not one query: upstream it is the database\'s sort; Chorus',
  'keeps the list\'s order in memory (server/songs/activity-order.ts) and reads the page\'s 20 songs by `_id`.',
  '',
  '| query | documents | upstream p50 ms | Chorus p50 ms | upstream / Chorus | Chorus / lookup by _id |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  'Reading these numbers: with the index a query costs about what a lookup by `_id` costs plus the documents it',
  'returns (a member\'s notifications page sorts that member\'s notifications, not the collection\'s), at any collection',
  'size; upstream, it grows with the collection.',
  '',
  `The database's own CPU time per operation, at ${SIZES[SIZES.length - 1]} documents per collection: ${OPS} operations, 4 at a time, the server`,
  'process\'s user + system time from /proc divided by them; three rounds in turn, the median. Upstream, FerretDB tracks',
  'every iterator, row set and transaction for leaks in release builds too (a stack walk into a pprof profile, and a',
  'finalizer each), and formats two debug lines per SQL statement whatever the log level; Chorus\'s build does neither',
  '(scripts/build-ferretdb.mjs, patches 4 and 5). Wall time is what the client waited, with both processes on the same cores.',
  '',
  '| operation | upstream CPU µs/op | Chorus CPU µs/op | upstream / Chorus | upstream wall µs/op | Chorus wall µs/op |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...opRows,
].join('\n');
console.log('\n' + text);
if (process.env.QUERIES_WRITE !== '0') writeBenchSection('## Embedded database: filters on indexed fields', text, { after: '## Reads: notes kept outside the generated section' });
