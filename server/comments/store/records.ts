// Comment records kept per thread across its versions, under the embedded thread store: rebuilding a page after a
// write reads from the database what the write touched, not the page's ~50 positions and ~50 comments again.
//
// Exact on every instance (read-your-writes): a read first opens the thread, which reads the thread's version V and,
// in the same step, the changelog from the version the kept records are valid at up to V (cache/versions.ts), and
// drops the records those writes touched (all of the thread's when the log cannot tell: a gap, 'all', Redis
// flushed). Only then does it read the database, so what it reads is at least as new as V. It keeps what it read only
// while the thread is still valid at V: a write landing meanwhile moves the version past V, and the first read to
// see that applies the write's log entry, so nothing read before it is kept after it. A kept record is never older
// than the version its thread is valid at.
//
// Positions are kept apart from the log: a claimed position names its comment for good. A position not claimed yet is
// never kept: it is asked again. A claimed one may name a comment that is never written there (a post cut short; a
// guessed position an instance gave up for a later one, embedded.ts): readers take its comment only where it was
// written (its seq), so keeping such a position keeps a hole.
//
// Bounded by a byte budget (each record by its size estimate), the threads read least recently going first. While
// the version cannot be known (Redis away) every read goes to the database and nothing is kept; when the versions
// doubt what was kept (Redis lost, a bump lost) everything goes.
import { byteLru } from '../../cache/lru';
import type { ThreadChangelog } from '../../cache/versions';
import type { CommentRecord } from '../model';

/** Reads the records at `keys` from the database in one go: each key's record, in their order (null where none). */
export type ReadMany<K, V> = (keys: K[]) => Promise<(V | null)[]>;

/** One read of a thread, at least as new as the version it was opened at. */
export interface ThreadRecords {
  /** The comment ids at `seqs` (null where none is claimed yet): kept ones, the rest from `read`. */
  positions(seqs: number[], read: ReadMany<number, string>): Promise<(string | null)[]>;
  /** The comments `ids` (null where none is stored): kept ones, the rest from `read`. */
  comments(ids: string[], read: ReadMany<string, CommentRecord>): Promise<(CommentRecord | null)[]>;
}

export interface RecordCacheStats {
  /** Positions and comments answered from memory. */
  hits: number;
  /** Positions and comments read from the database. */
  reads: number;
  /** Comment records dropped because a write touched them (one by one, or with their whole thread). */
  dropped: number;
  threads: number;
  bytes: number;
}

export interface RecordCache {
  /** Brings the thread's kept records up to its version now; the reads through the answer use them. */
  open(threadId: string): Promise<ThreadRecords>;
  stats(): RecordCacheStats;
}

interface Kept {
  /** The thread version the changelog has been applied up to: every kept record is at least this new. */
  validAt: number;
  comments: Map<string, CommentRecord>;
  positions: Map<number, string>;
  bytes: number;
}

const POSITION_BYTES = 120;
const THREAD_BYTES = 400;

/** A record's share of the budget: its strings (two bytes a character) and the objects around them. */
const recordBytes = (c: CommentRecord) => 700 + 2 * (c.body.length + c.author.name.length + (c.author.location?.length ?? 0) + (c.clientId?.length ?? 0));

/** Kept records are shared by every page built from them: nothing may change one in place. */
function frozen(c: CommentRecord): CommentRecord {
  Object.freeze(c.author);
  return Object.freeze(c);
}

async function readMissing<K, V>(keys: K[], held: (k: K) => V | undefined, read: ReadMany<K, V>, counts: { hits: number; reads: number }) {
  const found = keys.map(held);
  const missing = keys.flatMap((k, i) => (found[i] === undefined ? [i] : []));
  counts.hits += keys.length - missing.length;
  counts.reads += missing.length;
  const fetched = missing.length ? await read(missing.map((i) => keys[i])) : [];
  missing.forEach((at, j) => (found[at] = fetched[j] ?? undefined));
  return { found: found.map((v) => v ?? null), fetched: missing.map((at, j) => [keys[at], fetched[j]] as const) };
}

/** Reads straight from the database, keeping nothing: the mongo store's, the CLI's, and PAGE_CACHE_MB=0. */
export const uncachedRecords = (): RecordCache => {
  const counts = { hits: 0, reads: 0 };
  const direct: ThreadRecords = {
    positions: async (seqs, read) => (await readMissing(seqs, () => undefined, read, counts)).found,
    comments: async (ids, read) => (await readMissing(ids, () => undefined, read, counts)).found,
  };
  return { open: async () => direct, stats: () => ({ ...counts, dropped: 0, threads: 0, bytes: 0 }) };
};

export function createRecordCache(opts: { changelog: ThreadChangelog; budgetBytes: number }): RecordCache {
  const { changelog } = opts;
  const threads = byteLru<{ bytes: number; kept: Kept }>(opts.budgetBytes);
  const counts = { hits: 0, reads: 0, dropped: 0 };
  // Moves when everything is dropped: a read opened before must not keep what it read.
  let generation = 0;
  changelog.onDoubt(() => {
    generation++;
    threads.clear();
  });
  const uncached = uncachedRecords();

  /** Re-enters the thread with its size now (the budget may send the least recent threads away, or this one). */
  const account = (threadId: string, kept: Kept) => void threads.set(threadId, { bytes: kept.bytes, kept });

  const dropComment = (kept: Kept, id: string) => {
    const c = kept.comments.get(id);
    if (!c) return;
    kept.comments.delete(id);
    kept.bytes -= recordBytes(c);
    counts.dropped++;
  };

  /** Brings `kept` up to `log.version`; `from` is the version the log was read from. */
  function apply(kept: Kept, from: number | null, log: { version: number; changed: ReadonlySet<string> | 'all' }) {
    if (log.version <= kept.validAt) return;
    // The log covers (from, version]: enough when the kept records are valid at `from` or later.
    if (log.changed !== 'all' && from !== null && from <= kept.validAt) for (const id of log.changed) dropComment(kept, id);
    else for (const id of [...kept.comments.keys()]) dropComment(kept, id);
    kept.validAt = log.version;
  }

  function view(threadId: string, kept: Kept, version: number, openedIn: number): ThreadRecords {
    // Kept records are at least as new as `version` (validAt only grows); what this read fetches is kept only while
    // no later write has been applied and the thread is still the one kept.
    const current = () => openedIn === generation && threads.get(threadId)?.kept === kept;
    return {
      async positions(seqs, read) {
        const { found, fetched } = await readMissing(seqs, (s) => kept.positions.get(s), read, counts);
        if (fetched.length && current()) {
          for (const [seq, id] of fetched) {
            if (id === null || kept.positions.has(seq)) continue;
            kept.positions.set(seq, id);
            kept.bytes += POSITION_BYTES;
          }
          account(threadId, kept);
        }
        return found;
      },
      async comments(ids, read) {
        const { found, fetched } = await readMissing(ids, (id) => kept.comments.get(id), read, counts);
        if (fetched.length && current() && kept.validAt === version) {
          for (const [id, c] of fetched) {
            if (!c || kept.comments.has(id)) continue;
            kept.comments.set(id, frozen(c));
            kept.bytes += recordBytes(c);
          }
          account(threadId, kept);
        }
        return found;
      },
    };
  }

  return {
    async open(threadId) {
      const from = threads.get(threadId)?.kept.validAt ?? null;
      const openedIn = generation;
      const log = await changelog.changesSince(threadId, from);
      if (!log || openedIn !== generation) return uncached.open(threadId);
      let kept = threads.get(threadId)?.kept;
      if (kept) apply(kept, from, log);
      else kept = { validAt: log.version, comments: new Map(), positions: new Map(), bytes: THREAD_BYTES };
      account(threadId, kept);
      return view(threadId, kept, log.version, openedIn);
    },
    stats: () => {
      const u = uncached.stats();
      return { hits: counts.hits, reads: counts.reads + u.reads, dropped: counts.dropped, threads: threads.size, bytes: threads.bytes };
    },
  };
}
