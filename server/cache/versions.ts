// Each thread's version: a number that every write to the thread moves (after the write), read before a page is
// built from the database. A page is cached under the version read before its build, so a build that raced a write
// is kept under the older version and never served once the write's bump is visible. With Redis the version lives
// there (one GET per read, an INCR per write), so every instance sees a write's bump before the writer answers; without
// it, in this process.
//
// Each bump also says what the write touched (the ids of the comments whose records changed, or 'all'), in a short
// log per thread moved in the same step as the version (in Redis: one script, so no reader sees one without the
// other). A cache of comment records (comments/store/records.ts) reads the log from the version its records are
// valid at to the version now, and drops what the writes between touched; where the log cannot tell (trimmed,
// expired, flushed) it answers 'all'.
//
// Versions start from a clock reading (µs) rather than 0, so a restarted process or a flushed Redis never hands out a
// version (and an ETag) that once named other content.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What a write touched: the ids of the comments whose stored records it changed, or 'all' (many, or not known). */
export type ThreadChange = readonly string[] | 'all';

export interface ThreadVersions {
  /** The thread's version now, or null when it cannot be known (Redis away): then nothing cached may be served. */
  current(threadId: string): Promise<number | null>;
  /**
   * Moves the thread's version after a write, logging `changed` (what the write touched); without it nothing is
   * logged, and a reader of the log across this bump gets 'all'. Never throws (a bump Redis refused is retried).
   */
  bump(threadId: string, changed?: ThreadChange): Promise<void>;
  /** Called when what was cached can no longer be trusted (Redis went away, a bump was lost): drop everything. */
  onDoubt(listener: () => void): void;
  close(): void;
}

/** The thread's version now and what the writes after version `from` touched. */
export interface ThreadChanges {
  version: number;
  /** 'all' when the log cannot tell: no `from`, the log no longer reaches back to it, or the version went backwards. */
  changed: ReadonlySet<string> | 'all';
}

export interface ThreadChangelog {
  /** Read in one step with the version; null when the version cannot be known (Redis away). */
  changesSince(threadId: string, from: number | null): Promise<ThreadChanges | null>;
  onDoubt(listener: () => void): void;
}

/** Writes a thread's log keeps: a reader further behind than this drops the thread's records. */
export const LOG_LENGTH = 64;
/** Threads whose log one process keeps without Redis (the least recently written go first). */
const LOGGED_THREADS = 2000;
/** A thread's log in Redis outlives its last write by this long (a reader further behind needs entries it no longer has). */
const LOG_TTL_MS = 60 * 60_000;

interface Entry {
  version: number;
  changed: ThreadChange;
}

/** A log entry as Redis keeps it is `version:id,id` (or `version:*`, for 'all'). */
const changedText = (changed: ThreadChange) => (changed === 'all' ? '*' : changed.join(','));

function parseEntry(text: string): Entry | null {
  const at = text.indexOf(':');
  const version = Number(text.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(version)) return null;
  const rest = text.slice(at + 1);
  return { version, changed: rest === '*' ? 'all' : rest ? rest.split(',') : [] };
}

/** What the entries say changed after `from` up to `version`: every version in between must have its entry. */
export function changesIn(entries: Iterable<Entry>, from: number | null, version: number): ThreadChanges {
  if (from === null || from > version || version - from > LOG_LENGTH) return { version, changed: 'all' };
  const changed = new Set<string>();
  const seen = new Set<number>();
  for (const e of entries) {
    if (e.version <= from || e.version > version) continue;
    if (e.changed === 'all') return { version, changed: 'all' };
    seen.add(e.version);
    for (const id of e.changed) changed.add(id);
  }
  return seen.size === version - from ? { version, changed } : { version, changed: 'all' };
}

const clockBase = () => Date.now() * 1000;

export function memoryVersions(): ThreadVersions & ThreadChangelog {
  const base = clockBase();
  const versions = new Map<string, number>();
  // Each thread's last LOG_LENGTH entries; the Map's order is the order threads were last written in.
  const logs = new Map<string, Entry[]>();
  const current = (threadId: string) => versions.get(threadId) ?? base;
  return {
    current: async (threadId) => current(threadId),
    async bump(threadId, changed) {
      const version = current(threadId) + 1;
      versions.set(threadId, version);
      // Unlogged (a member's version, a bump that cannot say): a reader of the log across it finds the gap.
      if (!changed) return;
      const log = logs.get(threadId) ?? [];
      logs.delete(threadId);
      logs.set(threadId, log);
      if (log.push({ version, changed }) > LOG_LENGTH) log.shift();
      if (logs.size > LOGGED_THREADS) logs.delete(logs.keys().next().value!);
    },
    changesSince: async (threadId, from) => changesIn(logs.get(threadId) ?? [], from, current(threadId)),
    onDoubt: () => {},
    close: () => {},
  };
}

/**
 * The version of a missing key starts at the clock, so it is never lower than a version handed out before a flush.
 * The log entry (ARGV[4], when the bump says what changed) goes in with the INCR, newest first, trimmed to LOG_LENGTH
 * (ARGV[2]) and kept LOG_TTL_MS (ARGV[3]) past the last write. The version is written into the entry as Redis keeps
 * it (a Lua number would print as 1.7e+15).
 */
const BUMP = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('INCR', KEYS[1])
local v = redis.call('GET', KEYS[1])
if ARGV[4] then
  redis.call('LPUSH', KEYS[2], v .. ':' .. ARGV[4])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return v`;
const START = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;
/** The version (started as START does) and the log entries after ARGV[2], when the log can hold them all. */
const SINCE = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
local v = redis.call('GET', KEYS[1])
if ARGV[2] == '' then return {v, {}} end
local n = tonumber(v) - tonumber(ARGV[2])
if n <= 0 or n > tonumber(ARGV[3]) then return {v, {}} end
return {v, redis.call('LRANGE', KEYS[2], 0, n - 1)}`;

/**
 * `prefix` names the forum and its database (`${redisPrefix}:${dbName}`), as the other keys do; `kind` what is
 * versioned (threads here; members and their inboxes for cache/memo.ts, whose bumps log nothing).
 */
export function redisVersions(redis: Redis, prefix: string, logger: Logger, kind = 'thread'): ThreadVersions & ThreadChangelog {
  const key = (threadId: string) => `${prefix}:${kind}-version:${threadId}`;
  const logKey = (threadId: string) => `${prefix}:${kind}-log:${threadId}`;
  const bumpIn = (threadId: string, changed?: ThreadChange) =>
    redis.eval(BUMP, 2, key(threadId), logKey(threadId), clockBase(), LOG_LENGTH, LOG_TTL_MS, ...(changed ? [changedText(changed)] : []));
  const listeners: (() => void)[] = [];
  const doubt = () => listeners.forEach((l) => l());
  // Threads whose bump Redis refused: their pages are not served from the cache here until the bump lands.
  const unbumped = new Set<string>();
  const retry = async () => {
    for (const threadId of [...unbumped]) {
      try {
        // What the lost bump touched is not kept: no entry, so a reader of the log across it drops the whole thread.
        await bumpIn(threadId);
        unbumped.delete(threadId);
      } catch {
        return;
      }
    }
  };
  // While the connection is down every read bypasses the cache; what was cached before may have missed a bump.
  const onClose = () => doubt();
  const onReady = () => void retry();
  redis.on('close', onClose);
  redis.on('ready', onReady);
  const known = (threadId: string) => redis.status === 'ready' && !unbumped.has(threadId);
  return {
    async current(threadId) {
      if (!known(threadId)) return null;
      try {
        const v = (await redis.get(key(threadId))) ?? ((await redis.eval(START, 1, key(threadId), clockBase())) as string);
        return Number(v);
      } catch {
        return null;
      }
    },
    async changesSince(threadId, from) {
      if (!known(threadId)) return null;
      try {
        const [v, texts] = (await redis.eval(SINCE, 2, key(threadId), logKey(threadId), clockBase(), from ?? '', LOG_LENGTH)) as [string, string[]];
        const entries = texts.map(parseEntry).filter((e): e is Entry => !!e);
        return changesIn(entries, from, Number(v));
      } catch {
        return null;
      }
    },
    async bump(threadId, changed) {
      try {
        await bumpIn(threadId, changed);
      } catch (err) {
        logger.warn({ err: (err as Error).message, threadId }, 'thread version not moved in Redis; its cached pages are dropped and the bump retried');
        unbumped.add(threadId);
        doubt();
      }
    },
    onDoubt: (listener) => void listeners.push(listener),
    close() {
      redis.off('close', onClose);
      redis.off('ready', onReady);
    },
  };
}
