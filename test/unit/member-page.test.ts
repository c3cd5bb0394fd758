// What a member's song page is made of, without the database: kept parts with slots sent as one gzip stream (any
// gzip reader inflates it to the very page), values kept per member version, sessions kept in front of their store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync } from 'node:zlib';
import session from 'express-session';
import { versionedMemo } from '../../server/cache/memo';
import { assemble, crc32Combine, crc32Shift, keptParts } from '../../server/cache/segments';
import { fakeVersions } from '../helpers/versions';
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

  it("combines parts' CRC-32s into the whole's, for any lengths (the gzip trailer is checked by every reader)", () => {
    for (const [a, b] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [5, 1],
      [1000, 65_537],
      [70_000, 123_457],
    ]) {
      const x = randomBytes(a);
      const y = randomBytes(b);
      assert.equal(crc32Combine(crc32(x), crc32(y), crc32Shift(b)), crc32(Buffer.concat([x, y])), `${a} + ${b} bytes`);
    }
  });

  it('refuses a page without its slots, or with one twice (a page built wrong is never half-filled)', () => {
    assert.throws(() => keptParts('<p>no slots</p>', ['account'], slotMark), /slot account/);
    assert.throws(() => keptParts(`${slotMark('account')}${slotMark('account')}`, ['account'], slotMark), /slot account/);
    assert.throws(() => assemble(parts, ['only one'], false), /2 slots/);
  });
});


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
  type Stored = session.SessionData & { lastModified?: Date; passport?: { user: string } };
  const sess = (name: string, expires = new Date(Date.now() + 60_000)) => ({ cookie: { originalMaxAge: 60_000, expires }, passport: { user: name } }) as unknown as Stored;
  const HOUR = 3_600_000;

  /** A store as connect-mongo is: get hands the stored lastModified along, a touch writes only an hour after it. */
  function mongoLike(opts: { now?: () => number; maxAgeMs?: number } = {}) {
    const inner = new session.MemoryStore();
    const counts = { reads: 0, touchWrites: 0 };
    const lastModified = new Map<string, Date>();
    const get = inner.get.bind(inner);
    const set = inner.set.bind(inner);
    inner.get = (sid, cb) => {
      counts.reads++;
      get(sid, (err, s) => cb(err, s && lastModified.has(sid) ? ({ ...s, lastModified: lastModified.get(sid) } as Stored) : s));
    };
    inner.set = (sid, s, cb) => {
      lastModified.set(sid, new Date((opts.now ?? Date.now)()));
      set(sid, s, cb);
    };
    inner.touch = (sid, s, cb) => {
      const last = (s as Stored).lastModified;
      // connect-mongo's own test: it calls getTime() on what it is handed.
      if (!last || (opts.now ?? Date.now)() - last.getTime() >= HOUR) {
        counts.touchWrites++;
        lastModified.set(sid, new Date((opts.now ?? Date.now)()));
      }
      cb?.();
    };
    const store = keepSessions(inner, { maxEntries: 10, maxAgeMs: opts.maxAgeMs ?? 10 * HOUR, touchAfterMs: HOUR, now: opts.now });
    return { store, counts };
  }

  it('reads a session from the store once, then answers it from memory, each time a copy of its own', async () => {
    const { store, counts } = mongoLike();
    await call((cb) => store.set('s1', sess('ana'), cb));
    const first = (await call<Stored | null>((cb) => store.get('s1', cb)))!;
    first.passport!.user = 'changed by a request';
    const second = (await call<Stored | null>((cb) => store.get('s1', cb)))!;
    assert.equal(second.passport!.user, 'ana');
    assert.equal(counts.reads, 1);
  });

  it("hands each copy the store's lastModified as a Date, so a touch within the hour writes nothing and keeps it", async () => {
    const { store, counts } = mongoLike();
    await call((cb) => store.set('s1', sess('ana'), cb));
    for (let i = 0; i < 3; i++) {
      const s = (await call<Stored | null>((cb) => store.get('s1', cb)))!;
      assert.ok(s.lastModified instanceof Date);
      await call((cb) => store.touch!('s1', s, cb));
    }
    assert.deepEqual(counts, { reads: 1, touchWrites: 0 });
  });

  it('reads the session again after a touch that wrote (the stored lastModified moved)', async () => {
    let t = Date.now();
    const { store, counts } = mongoLike({ now: () => t });
    await call((cb) => store.set('s1', sess('ana', new Date(t + 10 * HOUR)), cb));
    await call((cb) => store.get('s1', cb));
    t += HOUR;
    const read = (await call<Stored | null>((c) => store.get('s1', c)))!;
    await call((cb) => store.touch!('s1', read, cb));
    assert.equal(counts.touchWrites, 1);
    const s = (await call<Stored | null>((cb) => store.get('s1', cb)))!;
    assert.equal(s.lastModified!.getTime(), t);
    assert.equal(counts.reads, 2);
  });

  it('forgets a destroyed session at once: the old cookie no longer finds it', async () => {
    const { store } = mongoLike();
    await call((cb) => store.set('s1', sess('ana'), cb));
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.destroy('s1', cb));
    assert.equal(await call((cb) => store.get('s1', cb)), undefined);
  });

  it('never answers a session past its expiry from memory: the store decides (and ends it)', async () => {
    let t = Date.now();
    const { store, counts } = mongoLike({ now: () => t });
    await call((cb) => store.set('s1', sess('ana', new Date(t + 1000)), cb));
    await call((cb) => store.get('s1', cb));
    await call((cb) => store.get('s1', cb));
    assert.equal(counts.reads, 1);
    t += 1000;
    await call((cb) => store.get('s1', cb));
    assert.equal(counts.reads, 2, 'asked of the store once its expiry passed');
  });

  it('does not keep what a read found while an end of the same session was under way', async () => {
    const inner = new session.MemoryStore();
    const destroy = inner.destroy.bind(inner);
    let finish!: () => void;
    inner.destroy = (sid, cb) => void (finish = () => destroy(sid, cb));
    const store = keepSessions(inner, { maxEntries: 10, maxAgeMs: HOUR, touchAfterMs: HOUR });
    await call((cb) => store.set('s1', sess('ana'), cb));
    const ended = call((cb) => store.destroy('s1', cb));
    // Read while the end is under way: the store still has it, but it must not be kept past the end.
    assert.ok(await call((cb) => store.get('s1', cb)));
    finish();
    await ended;
    assert.equal(await call((cb) => store.get('s1', cb)), undefined);
  });
});
