// What a member's song page is made of, without the database: kept parts with slots sent as one gzip stream (any
// gzip reader inflates it to the very page), values kept per member version, sessions kept in front of their store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import session from 'express-session';
import { versionedMemo } from '../../server/cache/memo';
import { assemble, keptParts } from '../../server/cache/segments';
import type { ThreadVersions } from '../../server/cache/versions';
import { keepSessions } from '../../server/accounts/kept-sessions';
import { slotMark } from '../../client/components/Document';

const join = (bufs: Buffer[]) => Buffer.concat(bufs).toString('utf8');

describe("a member's page as kept parts and slots (unit)", () => {
  const page = `<!doctype html><header>${slotMark('account')}</header><main>${'<p>a comment with ünïcödé ✓</p>'.repeat(2000)}${slotMark('viewer')}</main>`;
  const parts = keptParts(page, ['account', 'viewer'], slotMark);
  const filled = (account: string, viewer: string) => page.replace(slotMark('account'), account).replace(slotMark('viewer'), viewer);

  it('puts each fill in its slot, plain and gzip alike', () => {
    const fills = ['<p>Signed in as <strong>Ana</strong></p>', '<script type="application/json">{"user":"ana"}</script>'];
    assert.equal(join(assemble(parts, fills, false)), filled(fills[0], fills[1]));
    assert.equal(gunzipSync(Buffer.concat(assemble(parts, fills, true))).toString('utf8'), filled(fills[0], fills[1]));
  });

  it('sends a valid gzip stream for empty fills and for fills longer than one stored block (64 KiB)', () => {
    const long = randomBytes(100_000).toString('base64');
    for (const fills of [
      ['', ''],
      [long, ''],
      ['x', long + long],
    ]) {
      assert.equal(gunzipSync(Buffer.concat(assemble(parts, fills, true))).toString('utf8'), filled(fills[0], fills[1]));
    }
  });

  it('keeps the shared parts compressed: a gzip page is a fraction of the plain one', () => {
    const fills = ['<p>Ben</p>', '{}'];
    assert.ok(Buffer.concat(assemble(parts, fills, true)).length * 10 < Buffer.concat(assemble(parts, fills, false)).length);
  });

  it('refuses a page without its slots, or with one twice (a page built wrong is never half-filled)', () => {
    assert.throws(() => keptParts('<p>no slots</p>', ['account'], slotMark), /slot account/);
    assert.throws(() => keptParts(`${slotMark('account')}${slotMark('account')}`, ['account'], slotMark), /slot account/);
    assert.throws(() => assemble(parts, ['only one'], false), /2 slots/);
  });
});

function fakeVersions() {
  const v = new Map<string, number | null>();
  const listeners: (() => void)[] = [];
  const versions: ThreadVersions = {
    current: async (k) => (v.has(k) ? v.get(k)! : 1),
    bump: async (k) => void v.set(k, (v.get(k) ?? 1) + 1),
    onDoubt: (l) => void listeners.push(l),
    close: () => {},
  };
  return { versions, set: (k: string, n: number | null) => v.set(k, n), doubt: () => listeners.forEach((l) => l()) };
}

describe('values kept per member version (unit)', () => {
  it('keeps a value until its member changes, then loads it again', async () => {
    const { versions } = fakeVersions();
    let t = 0;
    const memo = versionedMemo<string>(versions, { maxEntries: 10, maxAgeMs: 1000, now: () => t });
    assert.equal(await memo.get('ana', async () => 'Ana'), 'Ana');
    assert.equal(await memo.get('ana', async () => 'never loaded'), 'Ana');
    await memo.changed('ana');
    assert.equal(await memo.get('ana', async () => 'Ana Renamed'), 'Ana Renamed');
    // A change made outside the forum moves no version: it shows once the value is older than maxAgeMs.
    t = 1000;
    assert.equal(await memo.get('ana', async () => 'Ana, changed by the admin command'), 'Ana, changed by the admin command');
  });

  it('never keeps a value loaded while its member changed', async () => {
    const { versions } = fakeVersions();
    const memo = versionedMemo<string>(versions, { maxEntries: 10, maxAgeMs: 60_000 });
    let release!: () => void;
    const slow = memo.get('ana', () => new Promise<string>((r) => (release = () => r('old name'))));
    await new Promise((r) => setImmediate(r));
    await memo.changed('ana');
    release();
    assert.equal(await slow, 'old name', 'the read that began before the write answers what it read');
    assert.equal(await memo.get('ana', async () => 'new name'), 'new name', 'but it is not kept for the next one');
  });

  it('loads every time while the version is unknown (Redis away), and drops everything on doubt', async () => {
    const { versions, set, doubt } = fakeVersions();
    const memo = versionedMemo<number>(versions, { maxEntries: 10, maxAgeMs: 60_000 });
    assert.equal(await memo.get('ana', async () => 1), 1);
    set('ana', null);
    assert.equal(await memo.get('ana', async () => 2), 2);
    set('ana', 1);
    doubt();
    assert.equal(await memo.get('ana', async () => 3), 3);
  });

  it('keeps at most maxEntries, the least recently used going first', async () => {
    const { versions } = fakeVersions();
    const memo = versionedMemo<string>(versions, { maxEntries: 2, maxAgeMs: 60_000 });
    await memo.get('a', async () => 'a1');
    await memo.get('b', async () => 'b1');
    await memo.get('a', async () => 'not loaded');
    await memo.get('c', async () => 'c1');
    assert.equal(await memo.get('a', async () => 'a2'), 'a1');
    assert.equal(await memo.get('b', async () => 'b2'), 'b2');
  });
});

describe('sessions kept in front of their store (unit)', () => {
  const call = <T>(f: (cb: (err?: unknown, v?: T) => void) => void) => new Promise<T | undefined>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));
  const sess = (name: string, expires = new Date(Date.now() + 60_000)) => ({ cookie: { originalMaxAge: 60_000, expires }, passport: { user: name } }) as unknown as session.SessionData;

  function counted() {
    const store = new session.MemoryStore();
    const reads = { n: 0 };
    const get = store.get.bind(store);
    store.get = (sid, cb) => {
      reads.n++;
      get(sid, cb);
    };
    return { store: keepSessions(store, { maxEntries: 10, maxAgeMs: 60_000 }), reads };
  }

  it('answers a session it wrote or read without asking the store again, each time a copy of its own', async () => {
    const { store, reads } = counted();
    await call((cb) => store.set('s1', sess('ana'), cb));
    const first = (await call<session.SessionData | null>((cb) => store.get('s1', cb)))!;
    (first as unknown as { passport: { user: string } }).passport.user = 'changed by a request';
    const second = (await call<session.SessionData | null>((cb) => store.get('s1', cb)))!;
    assert.equal((second as unknown as { passport: { user: string } }).passport.user, 'ana');
    assert.equal(reads.n, 0);
  });

  it('forgets a destroyed session at once: the old cookie no longer finds it', async () => {
    const { store } = counted();
    await call((cb) => store.set('s1', sess('ana'), cb));
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.destroy('s1', cb));
    assert.equal(await call((cb) => store.get('s1', cb)), undefined);
  });

  it('never answers a session past its expiry from memory: the store decides (and ends it)', async () => {
    const inner = new session.MemoryStore();
    const reads = { n: 0 };
    const get = inner.get.bind(inner);
    inner.get = (sid, cb) => {
      reads.n++;
      get(sid, cb);
    };
    let t = Date.now();
    const store = keepSessions(inner, { maxEntries: 10, maxAgeMs: 60 * 60_000, now: () => t });
    await call((cb) => store.set('s1', sess('ana', new Date(t + 1000)), cb));
    await call((cb) => store.get('s1', cb));
    assert.equal(reads.n, 0);
    t += 1000;
    await call((cb) => store.get('s1', cb));
    assert.equal(reads.n, 1, 'asked of the store once its expiry passed');
  });

  it('does not keep what a read found while a write or end of the same session was under way', async () => {
    const inner = new session.MemoryStore();
    const destroy = inner.destroy.bind(inner);
    let finish!: () => void;
    inner.destroy = (sid, cb) => void (finish = () => destroy(sid, cb));
    const store = keepSessions(inner, { maxEntries: 10, maxAgeMs: 60_000 });
    await call((cb) => store.set('s1', sess('ana'), cb));
    const ended = call((cb) => store.destroy('s1', cb));
    // Read while the end is under way: the store still has it, but it must not be kept past the end.
    assert.ok(await call((cb) => store.get('s1', cb)));
    finish();
    await ended;
    assert.equal(await call((cb) => store.get('s1', cb)), undefined);
  });
});
