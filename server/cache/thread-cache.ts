// The versioned page cache in front of the thread store (DESIGN.md "Seams"): what goes on the wire for a thread's
// page (the body, its gzip and brotli forms, a strong ETag), kept per thread, request variant and thread version, so a
// hit costs no database read, serialisation or compression. Every write to a thread moves its version
// (threadChanged, from comments/publish.ts and the few writes that do not publish), so the next read misses and
// rebuilds; a page built while a write landed is kept under the version read before the build, which the write's bump
// has already left behind. One build per key at a time; bounded by a byte budget (LRU).
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { byteLru } from './lru';
import type { ThreadChange, ThreadVersions } from './versions';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export interface CachedPage {
  /** The thread version the page was built at. */
  version: number;
  type: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Strong ETags, one per encoding (they are different bytes); any of them names this page. */
  etags: { identity: string; gzip: string; br: string };
  /** What the entry holds, for the budget. */
  bytes: number;
}

export interface PageCacheStats {
  /** Reads answered from memory. */
  hits: number;
  /** Reads that found no page at the thread's version (they built it, or waited for the build under way). */
  misses: number;
  /** Pages built (one per key however many readers missed it at once). */
  builds: number;
  /** Pages dropped to stay within the budget. */
  evictions: number;
  /** Reads that went to the database because the version could not be known (Redis away) or the cache is off. */
  bypassed: number;
  entries: number;
  bytes: number;
}

export interface PageBuild {
  type: string;
  body: string;
}

/** What a value build makes: anything kept per thread version, with what it holds in bytes (for the budget). */
export interface ValueBuild<T> {
  value: T;
  bytes: number;
}

export interface ThreadCache {
  /**
   * The page `variant` of the thread at its current version, from memory or built once by `build` (which reads the
   * database). null when nothing may be cached now (disabled, or Redis away): the caller answers without the cache.
   */
  page(threadId: string, variant: string, build: () => Promise<PageBuild>): Promise<CachedPage | null>;
  /**
   * Like page, for what is not a whole answer: `variant` of the thread at its current version (the parts a member's
   * page is put together from, server/web/songPages.tsx), from memory or built once. null as for page.
   */
  value<T>(threadId: string, variant: string, build: () => Promise<ValueBuild<T>>): Promise<T | null>;
  /**
   * Remembers that a reader's request, named by `route` (what the hot path can tell from the raw request: its URL, and
   * for pages its Host and `guard`, what else the page depends on), is page `variant` of the thread.
   */
  remember(route: string, threadId: string, variant: string, how: RouteHow): void;
  /**
   * The page a remembered request is, when it is in memory at the thread's current version (a hit); null otherwise,
   * and then the app answers (and builds) as for any request.
   */
  hit(route: string, guard?: string): Promise<{ page: CachedPage; cacheControl: string } | null>;
  /** As hit, for a remembered request whose answer is a kept value (a member's page parts). */
  valueHit<T>(route: string, guard?: string): Promise<{ value: T; cacheControl: string } | null>;
  /**
   * The thread was written: moves its version (after the write, before the writer answers), logging the comments
   * whose records the write changed (`changed`, or 'all'). Never throws.
   */
  threadChanged(threadId: string, changed: ThreadChange): Promise<void>;
  stats(): PageCacheStats;
  close(): void;
}

/** How a remembered request is answered: the Cache-Control its route sends, and its guard (see remember). */
export interface RouteHow {
  cacheControl: string;
  guard?: string;
}

export interface ThreadCacheOptions {
  versions: ThreadVersions;
  /** 0 turns caching off (versions still move, for the other instances). */
  budgetBytes: number;
  logger: Logger;
  /** How often the counts are logged at info, when there were reads since the last line. */
  logEveryMs?: number;
  /** More counts for the same line: the comment records pages are rebuilt from (forum.ts). */
  alsoLog?: () => Record<string, unknown>;
}

const etagsOf = (threadId: string, version: number, variant: string) => {
  const h = createHash('sha1').update(`${threadId}\n${version}\n${variant}`).digest('base64url').slice(0, 20);
  return { identity: `"${h}"`, gzip: `"${h}-gz"`, br: `"${h}-br"` };
};

async function encode(threadId: string, version: number, variant: string, built: PageBuild, keyLength: number): Promise<CachedPage> {
  const identity = Buffer.from(built.body, 'utf8');
  const [gz, br] = await Promise.all([
    gzipAsync(identity),
    // Quality 4, as the compression middleware sends per response: a busy thread rebuilds often, so a build stays cheap.
    brotliAsync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } }),
  ]);
  const bytes = identity.length + gz.length + br.length + 2 * keyLength + 400;
  return { version, type: built.type, identity, gzip: gz, br, etags: etagsOf(threadId, version, variant), bytes };
}

/** What the cache keeps: a page, or a value (kind tells them apart: a key names one or the other). */
type Entry = { version: number; bytes: number } & ({ kind: 'page'; page: CachedPage } | { kind: 'value'; value: unknown });

export function createThreadCache(opts: ThreadCacheOptions): ThreadCache {
  const { versions, logger } = opts;
  const enabled = opts.budgetBytes > 0;
  const lru = byteLru<Entry>(opts.budgetBytes);
  const building = new Map<string, Promise<Entry>>();
  const counts = { hits: 0, misses: 0, builds: 0, evictions: 0, bypassed: 0 };
  // Moves when the cache is dropped wholesale: a build that began before must not store what it read.
  let generation = 0;
  versions.onDoubt(() => {
    generation++;
    lru.clear();
  });

  const build = (key: string, version: number, make: () => Promise<Entry>): Promise<Entry> => {
    const buildKey = `${key}\n${version}`;
    const waiting = building.get(buildKey);
    if (waiting) return waiting;
    counts.builds++;
    const startedIn = generation;
    const made = (async () => {
      const entry = await make();
      const held = lru.get(key);
      // A slower build of an older version never replaces a newer entry.
      if (startedIn === generation && (!held || held.version <= version)) counts.evictions += lru.set(key, entry);
      return entry;
    })().finally(() => building.delete(buildKey));
    building.set(buildKey, made);
    return made;
  };

  /** The entry `key` of the thread at its current version, from memory or built; null when nothing may be cached. */
  const entry = async (threadId: string, key: string, make: (version: number) => Promise<Entry>): Promise<Entry | null> => {
    if (!enabled) {
      counts.bypassed++;
      return null;
    }
    const version = await versions.current(threadId);
    if (version === null) {
      counts.bypassed++;
      return null;
    }
    const held = lru.get(key);
    if (held && held.version === version) {
      counts.hits++;
      return held;
    }
    counts.misses++;
    return build(key, version, () => make(version));
  };

  // Requests as the hot path sees them -> the page they are; bounded (rebuilt from use when it is cleared).
  const routes = new Map<string, { threadId: string; variant: string } & RouteHow>();
  const MAX_ROUTES = 20_000;

  let logged = 0;
  const timer = setInterval(() => {
    const reads = counts.hits + counts.misses + counts.bypassed;
    if (reads === logged) return;
    logged = reads;
    logger.info({ pageCache: stats(), ...opts.alsoLog?.() }, 'page cache');
  }, opts.logEveryMs ?? 60_000);
  timer.unref();

  const stats = (): PageCacheStats => ({ ...counts, entries: lru.size, bytes: lru.bytes });

  /** The entry a remembered request is, when it is in memory at its thread's current version (a hit). */
  const rememberedEntry = async (route: string, guard: string | undefined, kind: Entry['kind']) => {
    const known = routes.get(route);
    if (!known || known.guard !== guard) return null;
    const version = await versions.current(known.threadId);
    const held = version === null ? undefined : lru.get(`${known.threadId}\n${kind}\n${known.variant}`);
    if (!held || held.version !== version) return null;
    counts.hits++;
    return { held, cacheControl: known.cacheControl };
  };

  return {
    async page(threadId, variant, make) {
      const key = `${threadId}\npage\n${variant}`;
      const found = await entry(threadId, key, async (version) => {
        const page = await encode(threadId, version, variant, await make(), key.length);
        return { kind: 'page', version, bytes: page.bytes, page };
      });
      return found?.kind === 'page' ? found.page : null;
    },
    async value<T>(threadId: string, variant: string, make: () => Promise<ValueBuild<T>>) {
      const key = `${threadId}\nvalue\n${variant}`;
      const found = await entry(threadId, key, async (version) => {
        const built = await make();
        return { kind: 'value', version, bytes: built.bytes + 2 * key.length + 200, value: built.value };
      });
      return found?.kind === 'value' ? (found.value as T) : null;
    },
    remember(route, threadId, variant, how) {
      const known = routes.get(route);
      if (!enabled || (known && known.threadId === threadId && known.variant === variant && known.guard === how.guard)) return;
      if (routes.size >= MAX_ROUTES) routes.clear();
      routes.set(route, { threadId, variant, ...how });
    },
    async hit(route, guard) {
      const found = await rememberedEntry(route, guard, 'page');
      return found?.held.kind === 'page' ? { page: found.held.page, cacheControl: found.cacheControl } : null;
    },
    async valueHit<T>(route: string, guard?: string) {
      const found = await rememberedEntry(route, guard, 'value');
      return found?.held.kind === 'value' ? { value: found.held.value as T, cacheControl: found.cacheControl } : null;
    },
    threadChanged: (threadId, changed) => versions.bump(threadId, changed),
    stats,
    close() {
      clearInterval(timer);
      versions.close();
      lru.clear();
    },
  };
}
