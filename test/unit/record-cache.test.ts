// The threads' changelog (server/cache/versions.ts) and the comment records kept across versions on it
// (server/comments/store/records.ts): a kept record is dropped by the first read after a write that touched it, a
// read that raced a write never keeps what it read, and where the log cannot tell (a gap, 'all', Redis flushed or
// away) the thread's records go rather than being served.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { changesIn, LOG_LENGTH, memoryVersions, redisVersions, type ThreadChangelog, type ThreadChanges } from '../../server/cache/versions';
import type { CommentRecord } from '../../server/comments/model';
import { createRecordCache } from '../../server/comments/store/records';
import { testRedisClients } from '../helpers/forum';

const songId = new mongoose.Types.ObjectId();
const T = String(songId);
const ids = Array.from({ length: 4 }, () => String(new mongoose.Types.ObjectId()));
const [A, B, C] = ids;

/** The database as the cache's reads see it: records by id, positions by seq, and how often each was asked for. */
function fakeDatabase() {
  const comments = new Map<string, CommentRecord>();
  const positions = new Map<number, string>();
  const asked = { comments: 0, positions: 0 };
  const write = (id: string, body: string, score = 0) =>
    comments.set(id, { _id: new mongoose.Types.ObjectId(id), songId, seq: 1, body, score, author: { name: 'Ada', location: null, userId: null }, status: 'visible' } as unknown as CommentRecord);
  return {
    comments,
    positions,
    asked,
    write,
    // As the store reads: every missing key in one read; `asked` counts the keys.
    readComment: async (ids: string[]) => ids.map((id) => (asked.comments++, comments.get(id) ?? null)),
    readPosition: async (seqs: number[]) => seqs.map((seq) => (asked.positions++, positions.get(seq) ?? null)),
  };
}

const bodies = (rows: (CommentRecord | null)[]) => rows.map((c) => c?.body ?? null);

describe('thread changelog', () => {
  const entry = (version: number, changed: readonly string[] | 'all') => ({ version, changed });

  it('answers the ids the writes after `from` touched, and all when it cannot tell', () => {
    const log = [entry(11, [A]), entry(12, [B, C]), entry(13, [A])];
    assert.deepEqual(changesIn(log, 10, 13), { version: 13, changed: new Set([A, B, C]) });
    assert.deepEqual(changesIn(log, 12, 13), { version: 13, changed: new Set([A]) });
    assert.deepEqual(changesIn(log, 13, 13), { version: 13, changed: new Set() });
    assert.equal(changesIn(log, null, 13).changed, 'all', 'nothing kept yet');
    assert.equal(changesIn(log, 9, 13).changed, 'all', 'version 10 is not in the log: a gap');
    assert.equal(changesIn([entry(11, [A]), entry(13, [A])], 10, 13).changed, 'all', 'a hole in the middle');
    assert.equal(changesIn([...log, entry(14, 'all')], 12, 14).changed, 'all');
    assert.equal(changesIn(log, 14, 13).changed, 'all', 'the version went backwards');
    assert.equal(changesIn(log, 13 - LOG_LENGTH - 1, 13).changed, 'all', 'further back than any log keeps');
  });

  it('in process: logs each bump, keeping the last LOG_LENGTH', async () => {
    const v = memoryVersions();
    const start = (await v.current(T))!;
    await v.bump(T, [A]);
    await v.bump(T, [B]);
    assert.deepEqual(await v.changesSince(T, start), { version: start + 2, changed: new Set([A, B]) });
    assert.deepEqual(await v.changesSince(T, start + 1), { version: start + 2, changed: new Set([B]) });
    for (let i = 0; i < LOG_LENGTH; i++) await v.bump(T, [C]);
    assert.equal((await v.changesSince(T, start + 1))!.changed, 'all', 'trimmed past it');
    assert.deepEqual((await v.changesSince(T, start + 2))!.changed, new Set([C]));
  });

  describe('in Redis', () => {
    const { prefix, client, close } = testRedisClients('changelog');
    after(close);
    const ready = async (r: Redis) => {
      if (r.status !== 'ready') await new Promise((resolve) => r.once('ready', resolve));
      return r;
    };

    it('moves the version and its log entry in one step, seen alike from another client', async () => {
      const writer = redisVersions(await ready(client()), prefix, pino({ level: 'silent' }));
      const reader = redisVersions(await ready(client()), prefix, pino({ level: 'silent' }));
      const start = (await reader.current(T))!;
      assert.ok(start > 1e15, 'versions start from the clock in µs: 16 digits, which the log must write whole');
      await writer.bump(T, [A, B]);
      await writer.bump(T, [C]);
      assert.deepEqual(await reader.changesSince(T, start), { version: start + 2, changed: new Set([A, B, C]) });
      assert.deepEqual(await reader.changesSince(T, start + 2), { version: start + 2, changed: new Set() });
      await writer.bump(T, 'all');
      assert.equal((await reader.changesSince(T, start + 2))!.changed, 'all');
      writer.close();
      reader.close();
    });

    it('answers all for a trimmed log, and for a flushed Redis', async () => {
      const r = await ready(client());
      const v = redisVersions(r, prefix, pino({ level: 'silent' }));
      const t = String(new mongoose.Types.ObjectId());
      const start = (await v.current(t))!;
      for (let i = 0; i < LOG_LENGTH + 1; i++) await v.bump(t, [A]);
      assert.equal((await v.changesSince(t, start))!.changed, 'all', 'one more write than the log keeps');
      assert.deepEqual((await v.changesSince(t, start + 1))!.changed, new Set([A]));
      await r.del(`${prefix}:thread-version:${t}`, `${prefix}:thread-log:${t}`);
      const after = (await v.changesSince(t, start + LOG_LENGTH + 1))!;
      assert.ok(after.version > start + LOG_LENGTH + 1, 'a flushed version starts again from the clock, never lower');
      assert.equal(after.changed, 'all');
      v.close();
    });
  });
});

describe('comment records kept across versions', () => {
  it('reads once, then drops only what a write touched', async () => {
    const db = fakeDatabase();
    db.write(A, 'a');
    db.write(B, 'b');
    const versions = memoryVersions();
    const cache = createRecordCache({ changelog: versions, budgetBytes: 1 << 20 });
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A, B], db.readComment)), ['a', 'b']);
    assert.equal(db.asked.comments, 2);
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A, B], db.readComment)), ['a', 'b']);
    assert.equal(db.asked.comments, 2, 'kept');
    db.write(A, 'a, edited');
    await versions.bump(T, [A]);
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A, B], db.readComment)), ['a, edited', 'b']);
    assert.equal(db.asked.comments, 3, 'only the edited one read again');
    db.write(B, 'b, renamed');
    await versions.bump(T, 'all');
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A, B], db.readComment)), ['a, edited', 'b, renamed']);
    assert.equal(db.asked.comments, 5);
    assert.deepEqual(cache.stats().dropped, 3);
  });

  it('serves a thread whose log has a gap from the database, not from what it kept', async () => {
    const db = fakeDatabase();
    db.write(A, 'old');
    let gap = false;
    const versions = memoryVersions();
    const changelog: ThreadChangelog = {
      onDoubt: () => {},
      // As if the log had been trimmed past the kept records' version (or Redis flushed).
      changesSince: async (t, from) => (gap ? { ...(await versions.changesSince(t, from))!, changed: 'all' } : versions.changesSince(t, from)),
    };
    const cache = createRecordCache({ changelog, budgetBytes: 1 << 20 });
    await (await cache.open(T)).comments([A], db.readComment);
    db.write(A, 'new');
    await versions.bump(T, [B]);
    gap = true;
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A], db.readComment)), ['new']);
  });

  it('does not keep what a read took from the database while a write landed', async () => {
    const db = fakeDatabase();
    db.write(A, 'before');
    const versions = memoryVersions();
    const cache = createRecordCache({ changelog: versions, budgetBytes: 1 << 20 });
    // A read opens at V and reads A's record as it was, slowly ...
    const slow = await cache.open(T);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const old = db.comments.get(A)!;
    const slowRead = slow.comments([A], async () => (await gate, [old]));
    // ... while the edit is written and its bump lands, and another read (of other comments) applies the log.
    db.write(A, 'after');
    await versions.bump(T, [A]);
    await (await cache.open(T)).comments([B], db.readComment);
    release();
    assert.deepEqual(bodies(await slowRead), ['before'], 'the slow read answers what it read (for a page of the older version)');
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A], db.readComment)), ['after'], 'but does not keep it');
  });

  it('drops what a read kept before a write that no other read saw land', async () => {
    const db = fakeDatabase();
    db.write(A, 'before');
    const versions = memoryVersions();
    const cache = createRecordCache({ changelog: versions, budgetBytes: 1 << 20 });
    const read = await cache.open(T);
    const old = db.comments.get(A)!;
    db.write(A, 'after');
    // The read took the record before the write; it is kept under the version it opened at.
    await read.comments([A], async () => [old]);
    await versions.bump(T, [A]);
    assert.deepEqual(bodies(await (await cache.open(T)).comments([A], db.readComment)), ['after']);
  });

  it('keeps claimed positions through any write, but never a hole', async () => {
    const db = fakeDatabase();
    db.positions.set(1, A);
    db.positions.set(2, B);
    db.write(A, 'a');
    const versions = memoryVersions();
    const cache = createRecordCache({ changelog: versions, budgetBytes: 1 << 20 });
    const first = await cache.open(T);
    assert.deepEqual(await first.positions([1, 2, 3], db.readPosition), [A, B, null]);
    assert.deepEqual(bodies(await first.comments([A, B], db.readComment)), ['a', null], "B's post has taken its position, its comment is not written yet");
    await versions.bump(T, 'all');
    db.positions.set(3, C);
    db.write(B, 'b');
    const second = await cache.open(T);
    assert.deepEqual(await second.positions([1, 2, 3], db.readPosition), [A, B, C]);
    assert.equal(db.asked.positions, 4, 'positions 1 and 2 kept through the write; 3 asked again');
    assert.deepEqual(bodies(await second.comments([B], db.readComment)), ['b'], 'the missing comment was asked again');
  });

  it('reads everything and keeps nothing while the version cannot be known, and drops everything on doubt', async () => {
    const db = fakeDatabase();
    db.write(A, 'a');
    const versions = memoryVersions();
    let known = true;
    const doubts: (() => void)[] = [];
    const changelog: ThreadChangelog = {
      onDoubt: (l) => void doubts.push(l),
      changesSince: async (t, from): Promise<ThreadChanges | null> => (known ? versions.changesSince(t, from) : null),
    };
    const cache = createRecordCache({ changelog, budgetBytes: 1 << 20 });
    known = false;
    await (await cache.open(T)).comments([A], db.readComment);
    await (await cache.open(T)).comments([A], db.readComment);
    assert.equal(db.asked.comments, 2);
    known = true;
    await (await cache.open(T)).comments([A], db.readComment);
    assert.equal(cache.stats().threads, 1);
    const opened = await cache.open(T);
    doubts.forEach((l) => l());
    assert.equal(cache.stats().threads, 0);
    await opened.comments([B], db.readComment);
    assert.equal(cache.stats().threads, 0, 'a read opened before the doubt keeps nothing');
    await (await cache.open(T)).comments([A], db.readComment);
    assert.equal(db.asked.comments, 5, 'A read again after the doubt');
  });

  it('stays within its byte budget, the threads read least recently going first', async () => {
    const db = fakeDatabase();
    const cache = createRecordCache({ changelog: memoryVersions(), budgetBytes: 20_000 });
    const threads = Array.from({ length: 10 }, () => String(new mongoose.Types.ObjectId()));
    for (const t of threads) {
      const many = Array.from({ length: 5 }, () => String(new mongoose.Types.ObjectId()));
      for (const id of many) db.write(id, 'x'.repeat(500));
      await (await cache.open(t)).comments(many, db.readComment);
    }
    const { threads: kept, bytes } = cache.stats();
    assert.ok(bytes <= 20_000, `${bytes} bytes`);
    assert.ok(kept > 0 && kept < 10, `${kept} threads kept`);
  });

  it('hands out records nobody can change in place', async () => {
    const db = fakeDatabase();
    db.write(A, 'a');
    const cache = createRecordCache({ changelog: memoryVersions(), budgetBytes: 1 << 20 });
    await (await cache.open(T)).comments([A], db.readComment);
    const [kept] = await (await cache.open(T)).comments([A], db.readComment);
    assert.throws(() => ((kept as { score: number }).score = 5), TypeError);
  });
});
