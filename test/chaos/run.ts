// `npm run chaos`: the forum as real processes under faults. A private redis-server and the forum (which runs and
// supervises its embedded database) are started; members and guests post over HTTP and sockets, each post retried
// with its clientId until acknowledged; readers follow the threads live. Mid-burst the forum is killed (-9) and
// started again, the database process is killed (-9) for the forum to restart, Redis is killed and started again,
// and hung and woken. Afterwards: every acknowledged post stored exactly once, every counter equal to a recount,
// every reader caught up, no answer but 503 while a part was down, /healthz 200 again within a bound. Bounded,
// seeded, a summary at the end; exit 1 on any violation. Results: RELIABILITY.md.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { fault, memberSocket, postOverHttp, postOverSocket, Reader, Recorder, type Ack } from './clients';
import { checkStored, counterMismatches, readersMissing, settles, withDatabase } from './checks';
import { ForumProcess, freePort, PrivateRedis, sleep, untilHealthy } from './processes';

const SEED = Number(process.env.CHAOS_SEED ?? 13);
const POSTS_PER_POSTER = Number(process.env.CHAOS_POSTS ?? 6);
/** How long a post is retried before the client gives up; how long a part may take to be healthy again. */
const POST_DEADLINE_MS = 90_000;
const RECOVERY_BOUND_MS = 30_000;
const SETTLE_BOUND_MS = 30_000;

/** mulberry32: the run's one source of chance, seeded, so a run can be replayed. */
let state = SEED >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];

interface Poster {
  name: string;
  via: 'http' | 'socket';
  cookie: string | null;
  userId: string | null;
  socket?: ReturnType<typeof memberSocket>;
}

type Round = { name: string; down(): Promise<void>; up(): Promise<number | null> };

async function main() {
  if (!existsSync('public/build/manifest.json')) throw new Error('run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'chorus-chaos-'));
  const rec = new Recorder();
  const redis = new PrivateRedis(await freePort(), dir);
  await redis.start();
  const forum = new ForumProcess(
    await freePort(),
    { DATA_DIR: join(dir, 'data'), REDIS_URL: redis.url, REDIS_PREFIX: 'chaos', SESSION_SECRET: 'chaos-secret-chaos-secret-chaos', LOG_LEVEL: 'warn', GUEST_POSTING: 'true', POSTING_LIMIT_PER_MINUTE: '100000', READ_LIMIT_PER_MINUTE: '1000000', REGISTER_LIMIT_PER_HOUR: '10000', DEMO_CONTENT: 'true' },
    dir,
  );
  const started = Date.now();
  await forum.start();
  const base = forum.url;
  const dbUri = () => (JSON.parse(readFileSync(join(dir, 'data', 'embedded-db.json'), 'utf8')) as { uri: string }).uri;

  // Two threads, seven posters (three members over HTTP, three over sockets, a guest over HTTP), four readers.
  // The demo songs are loaded just after the forum starts answering: wait for them (bounded).
  let songs: { slug: string; id: ObjectId }[] = [];
  for (const end = Date.now() + 30_000; songs.length < 2; await sleep(200)) {
    if (Date.now() > end) throw new Error('the demo songs did not appear within 30 s');
    songs = ((await (await fetch(`${base}/api/songs?limit=2`)).json()) as { items: { slug: string; id: string }[] }).items.map((s) => ({ slug: s.slug, id: new ObjectId(s.id) }));
  }
  const posters: Poster[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `chaos_${i}_${SEED}`, password: randomBytes(15).toString('base64url') }) });
    if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus.sid='))!.split(';')[0];
    const via = i < 3 ? 'http' : 'socket';
    posters.push({ name: `member ${i}`, via, cookie, userId: ((await res.json()) as { id: string }).id, socket: via === 'socket' ? memberSocket(base, cookie) : undefined });
  }
  posters.push({ name: 'guest', via: 'http', cookie: null, userId: null });
  const readers = Array.from({ length: 4 }, () => new Reader(base, songs.map((s) => s.slug)));

  const acks: (Ack & { by: string | null })[] = [];
  let attempted = 0;
  let gaveUp = 0;
  let votes = 0;
  let seq = 0;

  async function postOne(p: Poster): Promise<void> {
    const slug = pick(songs).slug;
    const parents = acks.filter((a) => a.slug === slug);
    const payload: Record<string, unknown> = { body: `chaos ${seq} by ${p.name}`, clientId: `chaos-${SEED}-${seq++}` };
    if (parents.length && random() < 0.3) payload.parentId = pick(parents).id;
    if (!p.userId) payload.author = { name: 'Chaos Guest', location: 'Nowhere' };
    attempted++;
    const ack = p.socket ? await postOverSocket(rec, p.socket, slug, payload, POST_DEADLINE_MS) : await postOverHttp(rec, base, p.cookie, slug, payload, POST_DEADLINE_MS);
    if (!ack) return void gaveUp++;
    acks.push({ ...ack, by: p.userId });
    // Members raise someone else's comment now and then (votes move scores, which must match a recount).
    const others = acks.filter((a) => a.by !== p.userId);
    if (p.cookie && others.length && random() < 0.4) await vote(p, pick(others).id);
  }

  async function vote(p: Poster, id: string): Promise<void> {
    const end = Date.now() + POST_DEADLINE_MS;
    while (Date.now() < end) {
      try {
        const res = await fetch(`${base}/api/comments/${id}/votes`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: p.cookie! }, body: JSON.stringify({ value: 1 }), signal: AbortSignal.timeout(10_000) });
        rec.note(`http vote ${res.status}`);
        if (res.status === 200) return void votes++;
        if (![503, 409].includes(res.status)) return void rec.violations.push(`vote answered ${res.status} ${(await res.text()).slice(0, 200)} while ${fault.now}`);
      } catch {
        rec.note('http vote refused');
      }
      await sleep(300);
    }
  }

  const burst = () => Promise.all(posters.map(async (p) => {
    for (let i = 0; i < POSTS_PER_POSTER; i++) await postOne(p);
  }));

  const recoveries: Record<string, number[]> = {};
  const kills = { forum: 0, database: 0, redisKilled: 0, redisHung: 0 };
  const rounds: Round[] = [
    { name: 'forum killed', down: async () => (kills.forum++, forum.kill9()), up: async () => { const t = Date.now(); await forum.start(); return (await untilHealthy(base, RECOVERY_BOUND_MS)) === null ? null : Date.now() - t; } },
    { name: 'database killed', down: async () => { const pid = forum.databasePid(); if (!pid) throw new Error('no database process under the forum'); kills.database++; process.kill(pid, 'SIGKILL'); }, up: () => untilHealthy(base, RECOVERY_BOUND_MS) },
    { name: 'redis killed', down: async () => (kills.redisKilled++, redis.kill()), up: async () => (await redis.start(), untilHealthy(base, RECOVERY_BOUND_MS)) },
    { name: 'redis hung', down: async () => void (kills.redisHung++, redis.pause()), up: async () => (redis.resume(), untilHealthy(base, RECOVERY_BOUND_MS)) },
  ];
  const schedule = [...rounds, ...rounds.slice(0, 2)];
  for (const round of schedule) {
    const posting = burst();
    await sleep(300 + random() * 500);
    fault.now = round.name;
    await round.down();
    // Down for a while, with posts (and their retries) arriving all along.
    await sleep(round.name === 'database killed' ? 0 : 2500);
    const ms = await round.up();
    fault.now = 'none';
    if (ms === null) rec.violations.push(`${round.name}: /healthz not 200 within ${RECOVERY_BOUND_MS} ms of its return`);
    else (recoveries[round.name] ??= []).push(ms);
    await posting;
  }

  // Afterwards, on the stored documents.
  const result = await withDatabase(dbUri(), async (db) => {
    const stored = await checkStored(db, acks);
    const counters = await settles(() => counterMismatches(db, songs.map((s) => s.id)), SETTLE_BOUND_MS);
    const readersState = await settles(() => readersMissing(db, readers, songs), SETTLE_BOUND_MS);
    const visible = await db.collection('comments').countDocuments({ songId: { $in: songs.map((s) => s.id) }, status: 'visible' });
    return { stored, counters, readersState, visible };
  });
  const { stored, counters, readersState } = result;
  for (const v of [...stored.duplicates.map((c) => `stored twice: ${c}`), ...stored.lost.map((c) => `acknowledged, not stored: ${c}`), ...stored.mismatched.map((c) => `acknowledged as another comment: ${c}`), ...counters.wrong, ...readersState.wrong]) rec.violations.push(v);
  if (gaveUp) rec.violations.push(`${gaveUp} posts never acknowledged within ${POST_DEADLINE_MS / 1000} s`);
  for (const [phase, answers] of rec.seen) for (const a of answers.keys()) if (/ 5\d\d/.test(a) && !/ 503/.test(a)) rec.violations.push(`${a} while ${phase}`);

  const deliveredTwice = readers.reduce((n, r) => n + [...r.seen.values()].reduce((m, s) => m + [...s.values()].filter((c) => c > 1).length, 0), 0);
  const summary = {
    seed: SEED,
    seconds: Math.round((Date.now() - started) / 1000),
    kills,
    posts: { attempted, acknowledged: acks.length, stored: stored.stored, duplicates: stored.duplicates.length, lost: stored.lost.length, gaveUp, overHttp: acks.filter((a) => a.via === 'http').length, overSockets: acks.filter((a) => a.via === 'socket').length },
    votes,
    visibleComments: result.visible,
    countersSettledMs: counters.ms,
    readers: { readers: readers.length, caughtUpMs: readersState.ms, catchUps: readers.reduce((n, r) => n + r.catchUps, 0), deliveredTwice },
    recoveryMs: recoveries,
    answers: Object.fromEntries([...rec.seen].map(([phase, a]) => [phase, Object.fromEntries([...a].sort())])),
    violations: rec.violations,
  };
  console.log(JSON.stringify(summary, null, 2));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));

  for (const r of readers) r.close();
  for (const p of posters) p.socket?.disconnect();
  await forum.stop();
  await redis.kill();
  if (rec.violations.length) {
    console.error(`chaos: ${rec.violations.length} violations; logs kept in ${dir}`);
    process.exit(1);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log('chaos: no violations');
  process.exit(0);
}

main().catch((err) => {
  console.error(`chaos: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(2);
});
