// Arbitrary requests to every route and arbitrary socket events, from a reader (who may post as a guest) and from a
// member: never a 5xx, never a stack trace or a path of ours in an answer, always the contract's error shape on
// /api, nothing logged as a server fault, and nothing changed that the sender may not change (the database's
// comments, songs, users, settings, votes, flags, bans, picks and log compared before and after each agent's run).
// Bounded runs with a fixed seed, so a failure replays; fast-check prints the smallest request that fails.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { ERROR_CODES } from '../../shared/errors';
import type { CommentDTO, SongDTO } from '../../shared/types';
import { postComment } from '../../server/comments/post';
import { removeComment } from '../../server/comments/edit';
import { createSong } from '../../server/songs/service';
import { signUp, sessionCookie, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { capturingLogger, connected, startTestForum, type TestForum, type TestSocket } from '../helpers/forum';

/** Fixed, so a failure replays; FUZZ_SEED explores others (FUZZ_STATS=1 prints what each route answered). */
const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const stats = new Map<string, Map<number, number>>();
const HTTP_RUNS = 1500;
const SOCKET_RUNS = 600;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: string;
  /** A page's no-JavaScript form (urlencoded), else JSON. */
  form?: boolean;
  /** A valid body, for mutating into nearly-valid ones (which reach deeper than noise). */
  body?: Record<string, unknown>;
}

/** Every route of the routers (server/*\/routes.ts, server/web/*.tsx), with a body a well-meaning client would send. */
const ROUTES: Route[] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/api/songs' },
  { method: 'GET', path: '/api/songs/:slug' },
  { method: 'POST', path: '/api/songs', body: { title: 'T', artist: 'A', album: 'B', year: 1999, charts: [{ region: 'UK', peak: 1 }], facts: ['f'] } },
  { method: 'GET', path: '/api/songs/:slug/comments' },
  { method: 'POST', path: '/api/songs/:slug/comments', body: { body: 'hi', parentId: ':id', clientId: 'fz-1', author: { name: 'Fuzz', location: 'Here' } } },
  { method: 'PATCH', path: '/api/comments/:id', body: { body: 'edited' } },
  { method: 'DELETE', path: '/api/comments/:id' },
  { method: 'GET', path: '/api/comments/mine' },
  { method: 'GET', path: '/api/comments/:id/replies' },
  { method: 'POST', path: '/api/comments/:id/votes', body: { value: 1 } },
  { method: 'POST', path: '/api/comments/:id/flags', body: { reason: 'spam' } },
  { method: 'POST', path: '/api/auth/register', body: { username: 'fz_user', password: 'x', displayName: 'D', location: 'L' } },
  { method: 'POST', path: '/api/auth/login', body: { username: ':username', password: 'wrong password here' } },
  { method: 'POST', path: '/api/auth/logout' },
  { method: 'GET', path: '/api/auth/me' },
  { method: 'PATCH', path: '/api/auth/me', body: { displayName: 'New', location: null } },
  { method: 'POST', path: '/api/auth/password', body: { currentPassword: 'wrong', newPassword: 'another long password' } },
  { method: 'GET', path: '/api/moderation/queue' },
  { method: 'POST', path: '/api/moderation/comments/:id', body: { action: 'reject', reason: 'r' } },
  { method: 'GET', path: '/api/moderation/users' },
  { method: 'POST', path: '/api/moderation/users/:userId', body: { action: 'ban', reason: 'r', until: null, removeComments: true } },
  { method: 'GET', path: '/api/moderation/log' },
  { method: 'GET', path: '/api/admin/settings' },
  { method: 'PATCH', path: '/api/admin/settings', body: { premoderation: 'all', guestPosting: false, bannedWords: ['x'] } },
  { method: 'GET', path: '/api/picks' },
  { method: 'GET', path: '/api/users/:username' },
  { method: 'GET', path: '/api/users/:username/comments' },
  { method: 'GET', path: '/api/notifications' },
  { method: 'POST', path: '/api/notifications/read', body: { ids: [':id'] } },
  { method: 'GET', path: '/api/no-such-route' },
  // Pages, and their no-JavaScript forms.
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/songs/:slug' },
  { method: 'GET', path: '/songs/:slug/comments' },
  { method: 'GET', path: '/songs/:slug/c/:id' },
  { method: 'GET', path: '/songs/:slug/c/:id/reply' },
  { method: 'GET', path: '/songs/:slug/c/:id/report' },
  { method: 'GET', path: '/songs/:slug/c/:id/vote' },
  { method: 'GET', path: '/login' },
  { method: 'GET', path: '/register' },
  { method: 'GET', path: '/users/:username' },
  { method: 'GET', path: '/members/:userId' },
  { method: 'GET', path: '/settings' },
  { method: 'GET', path: '/settings/password' },
  { method: 'GET', path: '/notifications' },
  { method: 'GET', path: '/notifications/read' },
  { method: 'GET', path: '/moderation' },
  { method: 'GET', path: '/moderation/users' },
  { method: 'GET', path: '/moderation/log' },
  { method: 'GET', path: '/admin/settings' },
  { method: 'GET', path: '/no/such/page' },
  { method: 'POST', path: '/login', form: true, body: { username: ':username', password: 'wrong password here', next: '/' } },
  { method: 'POST', path: '/register', form: true, body: { username: 'fz_form', password: 'x', displayName: 'D', location: 'L', next: '/' } },
  { method: 'POST', path: '/logout', form: true },
  { method: 'POST', path: '/songs/:slug/comments', form: true, body: { body: 'hi', name: 'Fuzz', location: 'L', website: '', formToken: '1.x', clientId: 'c' } },
  { method: 'POST', path: '/songs/:slug/c/:id/reply', form: true, body: { body: 'hi', name: 'Fuzz' } },
  { method: 'POST', path: '/songs/:slug/c/:id/report', form: true, body: { reason: 'spam' } },
  { method: 'POST', path: '/songs/:slug/c/:id/vote', form: true, body: { value: '1' } },
  { method: 'POST', path: '/settings', form: true, body: { displayName: 'D', location: 'L' } },
  { method: 'POST', path: '/settings/password', form: true, body: { currentPassword: 'x', newPassword: 'y', confirmPassword: 'y' } },
  { method: 'POST', path: '/notifications/read', form: true, body: { ids: ':id' } },
  { method: 'POST', path: '/moderation/comments/:id', form: true, body: { action: 'reject', reason: 'r', next: '/moderation' } },
  { method: 'POST', path: '/moderation/users/:userId', form: true, body: { action: 'ban', reason: 'r', removeComments: 'on' } },
  { method: 'POST', path: '/admin/settings', form: true, body: { premoderation: 'all', guestPosting: 'on', bannedWords: 'x', maxLinks: '1', flagThreshold: '1' } },
];

const SOCKET_EVENTS = ['thread:join', 'thread:leave', 'comment:post', 'typing', 'moderation:join', 'no:such:event', 'disconnect', 'connect', 'error'];

/** Percent-encodes every byte but the unreserved ones (lone surrogates too, as their UTF-8 replacement). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

// ---- arbitrary values --------------------------------------------------------------------------------------------

const WEIRD_STRINGS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$gt', '$where', '$ne', 'a.b', '', ' ', '\u202E', '\uD800', '💥', '%', '../../etc/passwd', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10'];
const weird = fc.constantFrom(...WEIRD_STRINGS);
const key = fc.oneof(fc.string({ maxLength: 10 }), weird);
const leaf = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  weird,
  fc.constant('x'.repeat(6000)),
);
const OPERATORS = [{ $gt: '' }, { $ne: null }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { __proto__: { polluted: 'yes' } }, JSON.parse('{"__proto__":{"polluted":"yes"}}'), { constructor: { prototype: { polluted: 'yes' } } }];
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.constantFrom(...OPERATORS),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** A path parameter: a real one (so requests get past the lookups), or not. */
const param = (real: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(real) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(pct) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%FF%FE', '%C0%AF', '%00', '%2F..%2F', '__proto__', 'constructor', '%24gt', '0'.repeat(24), 'f'.repeat(24), 'x'.repeat(3000)) },
  );

/** Raw query strings: repeated keys (arrays), bracket keys, operator keys, broken escapes, huge values. */
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom('q', 'cursor', 'limit', 'sort', 'after', 'ids', 'status', 'song', 'next', 'posted'), key), fc.oneof(leaf.map(String), fc.constantFrom('oldest', 'top', '0', '101', 'a,b'))), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')),
  fc.constantFrom('limit[$gt]=1', 'q[]=a&q[]=b', '__proto__[polluted]=yes', 'cursor=%E0%A4%A', 'after=%FF', 'sort=top&sort=oldest', `cursor=${'A'.repeat(4000)}`, 'ids=' + ',0'.repeat(200)),
);

type BodyKind = 'json' | 'form' | 'text' | 'none' | 'raw-json' | 'bad-utf8' | 'multipart' | 'latin1-json' | 'gzip-lie';
const bodyKind = fc.oneof(
  { weight: 8, arbitrary: fc.constant<BodyKind>('json') },
  { weight: 1, arbitrary: fc.constantFrom<BodyKind>('form', 'text', 'none', 'raw-json', 'bad-utf8', 'multipart', 'latin1-json', 'gzip-lie') },
);

/** A route's own body with fields dropped, replaced or added, or something else entirely. */
const bodyFor = (route: Route, real: Record<string, string>) => {
  const base = Object.fromEntries(Object.entries(route.body ?? {}).map(([k, v]) => [k, typeof v === 'string' && v.startsWith(':') ? real[v.slice(1)] : v]));
  const keys = Object.keys(base);
  const mutated = fc
    .record({
      drop: fc.subarray(keys),
      replace: keys.length ? fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 2 }) : fc.constant({}),
      extra: fc.dictionary(key, value, { maxKeys: 1 }),
    })
    .map(({ drop, replace, extra }) => {
      const out: Record<string, unknown> = { ...base, ...replace };
      for (const k of drop) delete out[k];
      // Own properties, even `__proto__`, as a hostile client's JSON would have them.
      for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    });
  return fc.oneof({ weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: value }, { weight: 1, arbitrary: fc.constant(base) });
};

const headers = fc.record(
  {
    'x-guest-token': fc.oneof(fc.string({ maxLength: 40 }), fc.constant('a'.repeat(30))),
    'if-none-match': fc.oneof(fc.string({ maxLength: 40 }), fc.constant('*'), fc.constant('W/"x", "y"')),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'image/png', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity;q=0', 'x-unknown'),
    'accept-language': fc.string({ maxLength: 30 }),
  },
  { requiredKeys: [] },
);
/** Mostly none (a script) or our own; sometimes another site's, which a write must refuse (403 CSRF). */
const origin = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constant('SAME') }, { weight: 1, arbitrary: fc.constantFrom('null', 'http://evil.example') });

// ---- one raw HTTP request ---------------------------------------------------------------------------------------

interface Answer {
  status: number;
  type: string;
  text: string;
}

/** node:http rather than supertest: broken %-escapes and raw bytes go out exactly as made. */
function send(base: URL, method: string, path: string, head: Record<string, string>, body: Buffer | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers: { ...head, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.end(body ?? undefined);
  });
}

function encodeBody(kind: BodyKind, body: unknown): { type?: string; buf: Buffer | null; encoding?: string } {
  const flat = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  switch (kind) {
    case 'none':
      return { buf: null };
    case 'json':
      return { type: 'application/json', buf: Buffer.from(JSON.stringify(body) ?? 'null') };
    case 'raw-json':
      return { type: 'application/json', buf: Buffer.from(flat(body).slice(0, 200) + '{"a":') };
    case 'latin1-json':
      return { type: 'application/json; charset=latin1', buf: Buffer.from(JSON.stringify(body) ?? '1', 'latin1') };
    case 'form': {
      const pairs = body && typeof body === 'object' && !Array.isArray(body) ? Object.entries(body) : [['body', flat(body)]];
      return { type: 'application/x-www-form-urlencoded', buf: Buffer.from(pairs.map(([k, v]) => `${pct(k)}=${pct(flat(v))}`).join('&')) };
    }
    case 'text':
      return { type: 'text/plain', buf: Buffer.from(flat(body)) };
    case 'bad-utf8':
      return { type: 'application/x-www-form-urlencoded', buf: Buffer.concat([Buffer.from('body='), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('&name=%FF%C0')]) };
    case 'multipart':
      return { type: 'multipart/form-data; boundary=zz', buf: Buffer.from(`--zz\r\nContent-Disposition: form-data; name="body"\r\n\r\n${flat(body)}\r\n--zz--\r\n`) };
    case 'gzip-lie':
      return { type: 'application/json', buf: Buffer.from(JSON.stringify(body) ?? '{}'), encoding: 'gzip' };
  }
}

// ---- what must hold of every answer ------------------------------------------------------------------------------

/** A stack frame, a file of ours or a module path in an answer gives the server away. */
const LEAKS = [/\n\s+at [\w$.<>[\] ]+ \(/, /\bat (?:async )?[\w$.]+ \(\S+:\d+:\d+\)/, /node_modules/, /\/(?:work|home|root|tmp)\//, /\.tsx?:\d+/, /file:\/\//, /Mongo\w*Error|MongoServerError|CastError|ValidationError|TypeError|ReferenceError|SyntaxError: /];

function judge(where: string, method: string, fullPath: string, a: Answer): void {
  const path = fullPath.length > 200 ? `${fullPath.slice(0, 200)}…(${fullPath.length} characters)` : fullPath;
  assert.ok(a.status < 500, `${where}: ${method} ${path} answered ${a.status}: ${a.text.slice(0, 300)}`);
  for (const leak of LEAKS) assert.doesNotMatch(a.text, leak, `${where}: ${method} ${path} (${a.status}) gives away its insides`);
  if (fullPath.startsWith('/api/') && a.status >= 400) {
    assert.match(a.type, /^application\/json/, `${method} ${path}: ${a.status} is not JSON`);
    const body = JSON.parse(a.text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    assert.deepEqual(Object.keys(body), ['error'], `${method} ${path}: ${a.text.slice(0, 200)}`);
    assert.ok(ERROR_CODES.includes(body.error!.code as never), `${method} ${path}: unknown code ${String(body.error!.code)}`);
    assert.equal(typeof body.error!.message, 'string');
    assert.deepEqual(Object.keys(body.error!).filter((k) => !['code', 'message', 'details'].includes(k)), []);
  }
}

// ---- what nobody may change --------------------------------------------------------------------------------------

type Snapshot = Map<string, Map<string, Record<string, unknown>>>;
const WATCHED = ['comments', 'songs', 'users', 'credentials', 'settings', 'votes', 'flags', 'bans', 'picks', 'moderationlog'];

async function snapshot(forum: TestForum): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const name of WATCHED) {
    const docs = await forum.deps.db.conn.collection(name).find({}).toArray();
    snap.set(name, new Map(docs.map((d) => [String(d._id), JSON.parse(JSON.stringify(d)) as Record<string, unknown>])));
  }
  return snap;
}

const without = (doc: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(doc).filter(([k]) => !keys.includes(k)));

/**
 * What `who` (a member's id, or null for a reader/guest) may have changed: their own account, their own comments,
 * votes and flags; others' comments only in the counters their votes, flags and replies move; songs only in their
 * counters; new accounts (anyone may register) and their own new comments. Nothing else.
 */
function assertOnlyAllowed(before: Snapshot, after: Snapshot, who: string | null, newCommentsBy: (string | null)[] = [who]): void {
  const ownComment = (c: Record<string, unknown>) => !!who && (c.author as { userId?: string })?.userId === who;
  for (const name of WATCHED) {
    const was = before.get(name)!;
    const now = after.get(name)!;
    for (const [id, doc] of was) {
      const cur = now.get(id);
      if (name === 'users' && id === who) continue;
      if (name === 'comments' && ownComment(doc)) continue;
      if ((name === 'votes' || name === 'flags') && doc.userId === who) continue;
      assert.ok(cur, `${name} ${id} was deleted by ${who ?? 'a reader'}`);
      const loose = name === 'comments' ? ['score', 'replyCount', 'flagCount'] : name === 'songs' ? ['commentCount', 'lastCommentAt', 'activityAt', 'lastSeq', 'updatedAt'] : [];
      assert.deepEqual(without(cur, loose), without(doc, loose), `${name} ${id} was changed by ${who ?? 'a reader'}`);
    }
    for (const [id, doc] of now) {
      if (was.has(id)) continue;
      if (name === 'users' || name === 'credentials') continue;
      if (name === 'comments') {
        const by = (doc.author as { userId?: string | null }).userId ?? null;
        assert.ok(newCommentsBy.includes(by), `a comment ${id} under someone else's name (${by})`);
        continue;
      }
      if (name === 'votes' || name === 'flags') {
        assert.equal(doc.userId, who, `${name} ${id} cast for someone else`);
        continue;
      }
      assert.fail(`${name} ${id} was created by ${who ?? 'a reader'}: ${JSON.stringify(doc).slice(0, 200)}`);
    }
  }
}

// ---- the runs ----------------------------------------------------------------------------------------------------

describe('fuzzing every route and socket event', function () {
  this.timeout(180_000);
  let forum: TestForum;
  let entries: Record<string, any>[];
  let member: SignedUp;
  let victim: SignedUp;
  let song: SongDTO;
  let real: Record<string, string>;

  before(async () => {
    const captured = capturingLogger('error');
    entries = captured.entries;
    // Limits raised so the fuzzer's writes reach the services instead of stopping at 429.
    forum = await startTestForum({ GUEST_POSTING: 'true', POSTING_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'error', GUEST_MIN_FILL_SECONDS: '0', TRUST_PROXY: 'loopback' }, { logger: captured.logger });
    const admin = await signUp(forum, { role: 'admin' });
    await signUp(forum, { role: 'moderator' });
    victim = await signUp(forum, { displayName: 'Victim', location: 'Home' });
    member = await signUp(forum, { displayName: 'Fuzzer' });
    song = await createSong(forum.deps, admin.user, { title: 'Target', artist: 'The Fuzz', facts: ['A fact.'] });
    const post = (user: SignedUp | null, body: string, parentId?: string) =>
      postComment(forum.deps, { user: user?.user ?? null, ip: '10.0.0.9', guest: user ? undefined : { name: 'Seed Guest' } }, song.slug, { body, parentId }).then((r) => r.comment as CommentDTO);
    const first = await post(victim, 'the victim speaks @' + member.user.username);
    await post(null, 'a guest speaks', first.id);
    const removed = await post(victim, 'soon removed');
    await removeComment(forum.deps, victim.user, removed.id, null);
    await post(member, 'the fuzzer speaks', first.id);
    real = { slug: song.slug, id: first.id, username: victim.user.username, userId: victim.user.id };
  });
  after(async () => {
    if (process.env.FUZZ_STATS) for (const [route, tally] of stats) console.log(route.padEnd(40), [...tally].sort().map(([st, n]) => `${st}:${n}`).join(' '));
    await forum?.close();
  });

  const request = fc.constantFrom(...ROUTES).chain((route) =>
    fc.record({
      route: fc.constant(route),
      params: fc.record({ slug: param(song.slug), id: param(real.id), username: param(real.username), userId: param(real.userId) }),
      query,
      kind: bodyKind,
      body: bodyFor(route, real),
      headers,
      origin,
    }),
  );

  async function runHttp(agent: () => string | null, who: string | null, runs: number, skip: (r: Route) => boolean, afterEach?: (r: Route) => Promise<void>) {
    const base = new URL(forum.url);
    const before = await snapshot(forum);
    await fc.assert(
      fc.asyncProperty(request, async ({ route, params, query: q, kind, body, headers: h, origin: o }) => {
        if (skip(route)) return;
        const path = route.path.replace(/:(slug|id|username|userId)\b/g, (_m, p: keyof typeof params) => params[p]) + (q ? `?${q}` : '');
        const { type, buf, encoding } = route.method === 'GET' || route.method === 'DELETE' ? { buf: null } : encodeBody(route.form && kind === 'json' ? 'form' : kind, body);
        const head: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) head[k] = String(v).replace(/[^\t\x20-\x7e]/g, '');
        if (o) head.origin = o === 'SAME' ? forum.url : o;
        if (type) head['content-type'] = type;
        if (encoding) head['content-encoding'] = encoding;
        const cookie = agent();
        if (cookie) head.cookie = cookie;
        const answer = await send(base, route.method, path, head, buf);
        judge(who ?? 'reader', route.method, path, answer);
        const tally = stats.get(`${route.method} ${route.path}`) ?? new Map<number, number>();
        stats.set(`${route.method} ${route.path}`, tally.set(answer.status, (tally.get(answer.status) ?? 0) + 1));
        await afterEach?.(route);
      }),
      { numRuns: runs, seed: SEED + (who ? 1 : 0), endOnFailure: true },
    );
    assertOnlyAllowed(before, await snapshot(forum), who);
  }

  it('answers a reader’s (and guest’s) arbitrary requests without a fault, and they change nothing they may not', async () => {
    await runHttp(() => null, null, HTTP_RUNS, () => false);
  });

  it('answers a member’s arbitrary requests without a fault, and they change nothing of anyone else’s', async () => {
    let cookie = member.cookie;
    let relogins = 1;
    // A sign-in or registration in the run ends the member's session (its id is renewed): sign in again.
    const keepSignedIn = async (r: Route) => {
      if (!/login|register|logout|password/.test(r.path)) return;
      const me = await send(new URL(forum.url), 'GET', '/api/auth/me', { cookie }, null);
      if (me.status === 200 && JSON.parse(me.text).id === member.user.id) return;
      // From an address of its own each time (TRUST_PROXY): the member's own sign-ins are rate-limited per address.
      const res = await forum.agent().post('/api/auth/login').set('x-forwarded-for', `10.13.${(relogins >> 8) & 255}.${relogins++ & 255}`).send({ username: member.user.username, password: TEST_PASSWORD });
      assert.equal(res.status, 200, res.text);
      cookie = sessionCookie(res.headers['set-cookie']);
    };
    await runHttp(() => cookie, member.user.id, HTTP_RUNS, () => false, keepSignedIn);
  });

  it('answers arbitrary socket events, payloads and acks (none, or not a function) without a fault, from a reader and a member', async () => {
    const before = await snapshot(forum);
    const sockets: Record<'reader' | 'member', TestSocket | null> = { reader: null, member: null };
    const socketOf = async (who: 'reader' | 'member') => {
      let s = sockets[who];
      if (!s || !s.connected) {
        s?.disconnect();
        s = forum.socket(who === 'member' ? { cookie: member.cookie } : {});
        await connected(s);
        sockets[who] = s;
      }
      return s;
    };
    const ackMode = fc.constantFrom('function', 'function', 'none', 'number', 'string', 'object');
    const payload = fc.oneof(
      value,
      fc.record({ slug: param(song.slug), body: fc.oneof(leaf, value), clientId: fc.oneof(fc.string({ maxLength: 30 }), leaf), parentId: fc.oneof(fc.constant(real.id), leaf), author: fc.oneof(value, fc.record({ name: leaf, location: leaf })), name: leaf }, { requiredKeys: [] }),
      fc.constant('x'.repeat(150_000)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('reader', 'member'), fc.constantFrom(...SOCKET_EVENTS), payload, ackMode, async (who, event, p, mode) => {
        const s = (await socketOf(who)) as unknown as { emit(...a: unknown[]): void; timeout(ms: number): { emitWithAck(...a: unknown[]): Promise<any> } };
        if (mode === 'function' && !['no:such:event', 'disconnect', 'connect', 'error'].includes(event)) {
          // A socket dropped for an oversized payload is the server protecting itself, not a fault.
          const reply = await s.timeout(5000).emitWithAck(event, p).catch((err: Error) => ({ dropped: err.message }));
          if ('dropped' in reply) return;
          if (reply.ok === true) return;
          assert.equal(reply.ok, false, JSON.stringify(reply).slice(0, 200));
          assert.ok(ERROR_CODES.includes(reply.error.code), `${event}: ${JSON.stringify(reply)}`);
          assert.notEqual(reply.error.code, 'INTERNAL', `${event} ${JSON.stringify(p).slice(0, 200)}: ${reply.error.message}`);
          assert.deepEqual(Object.keys(reply.error).sort(), ['code', 'message']);
        } else {
          const extra = mode === 'number' ? [42] : mode === 'string' ? ['ack'] : mode === 'object' ? [{ ack: true }] : mode === 'function' ? [() => {}] : [];
          try {
            s.emit(event, p, ...extra);
          } catch {
            // socket.io-client refuses reserved event names itself: nothing reached the server.
          }
        }
      }),
      { numRuns: SOCKET_RUNS, seed: SEED + 2, endOnFailure: true },
    );
    // The server still serves sockets: a new reader's and member's join answers.
    for (const who of ['reader', 'member'] as const) {
      sockets[who]?.disconnect();
      const s = forum.socket(who === 'member' ? { cookie: member.cookie } : {});
      await connected(s);
      const reply = await (s as any).timeout(5000).emitWithAck('thread:join', { slug: song.slug });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      s.disconnect();
    }
    // New comments are the member's own or guests' (the reader's socket posts as a guest).
    assertOnlyAllowed(before, await snapshot(forum), member.user.id, [null, member.user.id]);
  });

  it('logged no server fault and polluted no prototype', () => {
    const faults = entries.filter((e) => e.level >= 50);
    assert.deepEqual(faults.map((e) => `${e.msg}: ${e.err?.message ?? ''}`), []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });
});
