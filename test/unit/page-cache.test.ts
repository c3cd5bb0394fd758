// The page cache's own rules, with versions under the test's control: a page is only ever served at the version
// read before its build; a slow build never replaces a newer page; nothing is served while the version is unknown
// (Redis away), and what was kept is dropped when a bump may have been lost.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createThreadCache, type PageBuild } from '../../server/cache/thread-cache';
import { fakeVersions } from '../helpers/versions';
import { alreadyHeld } from '../../server/cache/send';
import { byteLru } from '../../server/cache/lru';


const logger = pino({ level: 'silent' });
const body = (text: string) => async (): Promise<PageBuild> => ({ type: 'text/plain', body: text });

describe('thread page cache (unit)', () => {
  it('serves a page at its version and rebuilds once the thread changed', async () => {
    const { versions } = fakeVersions();
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger });
    assert.equal((await cache.page('t', 'v', body('one')))!.identity.toString(), 'one');
    assert.equal((await cache.page('t', 'v', body('never built')))!.identity.toString(), 'one');
    await cache.threadChanged('t', 'all');
    assert.equal((await cache.page('t', 'v', body('two')))!.identity.toString(), 'two');
    assert.deepEqual({ ...cache.stats(), bytes: 0 }, { hits: 1, misses: 2, builds: 2, evictions: 0, bypassed: 0, entries: 1, bytes: 0 });
    cache.close();
  });

  it('never lets a slow build of an older version replace a newer page', async () => {
    const { versions, set } = fakeVersions();
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger });
    let finishOld!: () => void;
    const old = cache.page('t', 'v', () => new Promise<PageBuild>((r) => (finishOld = () => r({ type: 'text/plain', body: 'old' }))));
    await new Promise((r) => setImmediate(r));
    set('t', 2);
    assert.equal((await cache.page('t', 'v', body('new')))!.identity.toString(), 'new');
    finishOld();
    assert.equal((await old)!.identity.toString(), 'old', 'its own reader gets what it read');
    assert.equal((await cache.page('t', 'v', body('not again')))!.identity.toString(), 'new');
    cache.close();
  });

  it('bypasses the cache while the version cannot be known, and drops everything on doubt', async () => {
    const { versions, set, doubt } = fakeVersions();
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger });
    await cache.page('t', 'v', body('kept'));
    set('t', null);
    assert.equal(await cache.page('t', 'v', body('x')), null);
    assert.equal(cache.stats().bypassed, 1);
    set('t', 1);
    doubt();
    assert.equal(cache.stats().entries, 0);
    assert.equal((await cache.page('t', 'v', body('rebuilt')))!.identity.toString(), 'rebuilt');
    cache.close();
  });

  it('does not keep what a build read before a doubt', async () => {
    const { versions, doubt } = fakeVersions();
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger });
    let finish!: () => void;
    const pending = cache.page('t', 'v', () => new Promise<PageBuild>((r) => (finish = () => r({ type: 'text/plain', body: 'before' }))));
    await new Promise((r) => setImmediate(r));
    doubt();
    finish();
    await pending;
    assert.equal(cache.stats().entries, 0);
    cache.close();
  });

  it('shares one build between simultaneous misses, and does not keep a failed one', async () => {
    const { versions } = fakeVersions();
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger });
    let builds = 0;
    const slow = async (): Promise<PageBuild> => {
      builds++;
      await new Promise((r) => setTimeout(r, 20));
      return { type: 'text/plain', body: 'shared' };
    };
    const pages = await Promise.all(Array.from({ length: 10 }, () => cache.page('t', 'v', slow)));
    assert.equal(builds, 1);
    assert.ok(pages.every((p) => p === pages[0]));
    await assert.rejects(cache.page('t', 'w', async () => Promise.reject(new Error('database away'))), /database away/);
    assert.equal((await cache.page('t', 'w', body('after the failure')))!.identity.toString(), 'after the failure');
    cache.close();
  });

  it('logs its counts at info, a line per interval that saw reads', async () => {
    const lines: Record<string, any>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { versions } = fakeVersions();
    let recordReads = 0;
    const cache = createThreadCache({ versions, budgetBytes: 1 << 20, logger: log, logEveryMs: 10, alsoLog: () => ({ records: { reads: recordReads } }) });
    await cache.page('t', 'v', body('one'));
    recordReads = 50;
    await cache.page('t', 'v', body('one'));
    for (let i = 0; i < 200 && !lines.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lines[0]?.msg, 'page cache');
    assert.deepEqual(lines[0].records, { reads: 50 }, 'the counts of what pages are rebuilt from, on the same line');
    assert.equal(lines[0].pageCache.hits, 1);
    assert.equal(lines[0].pageCache.misses, 1);
    assert.equal(lines[0].pageCache.builds, 1);
    // The next line comes with the next read, carrying it.
    const quietUntil = lines.length;
    await cache.page('t', 'v', body('one'));
    for (let i = 0; i < 200 && lines.length === quietUntil; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lines.length, quietUntil + 1);
    assert.equal(lines.at(-1)!.pageCache.hits, 2);
    cache.close();
  });

  it('evicts the least recently used entries to stay within the byte budget', () => {
    const lru = byteLru<{ bytes: number; n: number }>(100);
    lru.set('a', { bytes: 40, n: 1 });
    lru.set('b', { bytes: 40, n: 2 });
    lru.get('a');
    assert.equal(lru.set('c', { bytes: 40, n: 3 }), 1);
    assert.equal(lru.get('b'), undefined, 'b was the least recently used');
    assert.ok(lru.get('a') && lru.get('c'));
    assert.equal(lru.set('huge', { bytes: 101, n: 4 }), 0);
    assert.equal(lru.get('huge'), undefined, 'a page larger than the budget is not kept');
    assert.equal(lru.bytes, 80);
  });

  it('matches If-None-Match against every encoding of the page, weak or strong, and *', () => {
    const page = { etags: { identity: '"abc"', gzip: '"abc-gz"', br: '"abc-br"' } } as Parameters<typeof alreadyHeld>[1];
    assert.ok(alreadyHeld('"abc-gz"', page));
    assert.ok(alreadyHeld('"x", W/"abc-br"', page));
    assert.ok(alreadyHeld('*', page));
    assert.ok(!alreadyHeld('"abd"', page));
    assert.ok(!alreadyHeld(undefined, page));
  });
});
