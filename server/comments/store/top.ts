// The `top` order of threads on the embedded database, kept in memory by the embedded thread store.
// FerretDB (SQLite) answers a sorted query by reading and sorting the whole comments collection, seconds per
// page once it holds thousands of comments. So each instance keeps, per thread it was asked about, the thread's
// comment ids in (score desc, id asc) order: built by one such read, moved by this instance's own posts and votes
// at once, and rebuilt when older than `ttlMs` so other instances' votes show within it. One build per thread at
// a time: readers arriving while it runs wait for that build instead of starting their own.
import type { Types } from 'mongoose';
import { indexAfter } from '../../sorted';

export interface Ranked {
  id: string;
  score: number;
}

/** Reads a thread's (id, score) pairs: the one full read a build costs. */
export type RankSource = (songId: Types.ObjectId) => Promise<Ranked[]>;

export interface TopOrders {
  /** Up to `want` ranked ids of the thread, after `after` when given. */
  ids(songId: Types.ObjectId, want: number, after?: Ranked): Promise<Ranked[]>;
  /** Places a comment at its (new) score, if the order of its thread is kept. */
  move(songId: Types.ObjectId, id: string, score: number): void;
  /** Threads whose order is kept. */
  readonly size: number;
}

interface Order {
  builtAt: number;
  rows: Ranked[];
}

/** Top order: higher score first, then the older comment (ObjectIds sort by creation). */
export const rankBefore = (a: Ranked, b: Ranked) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Index of the first row that comes after `mark` in top order. */
export const firstAfter = (rows: Ranked[], mark: Ranked): number => indexAfter(rows, mark, rankBefore);

/** Moves (or inserts) `row` to its place in `rows`, which stay sorted. */
export function placeRow(rows: Ranked[], row: Ranked): void {
  const at = rows.findIndex((r) => r.id === row.id);
  if (at >= 0) rows.splice(at, 1);
  rows.splice(firstAfter(rows, row), 0, row);
}

export function createTopOrders(read: RankSource, opts: { ttlMs: number; maxThreads: number; now?: () => number }): TopOrders {
  const now = opts.now ?? Date.now;
  const kept = new Map<string, Order>();
  const building = new Map<string, Promise<Order>>();
  /** Moves made while a thread's build reads: the read may have missed them, so they are replayed on its result. */
  const movedDuringBuild = new Map<string, Ranked[]>();

  const build = (songId: Types.ObjectId, key: string): Promise<Order> => {
    let pending = building.get(key);
    if (pending) return pending;
    const builtAt = now();
    movedDuringBuild.set(key, []);
    pending = read(songId)
      .then((rows) => {
        const order = { builtAt, rows: [...rows].sort(rankBefore) };
        for (const row of movedDuringBuild.get(key) ?? []) placeRow(order.rows, row);
        kept.delete(key);
        kept.set(key, order);
        // Threads asked about longest ago go first once many are kept (a Map iterates in insertion order).
        if (kept.size > opts.maxThreads) kept.delete(kept.keys().next().value!);
        return order;
      })
      // A failed read is not kept: the next request tries again.
      .finally(() => {
        building.delete(key);
        movedDuringBuild.delete(key);
      });
    building.set(key, pending);
    return pending;
  };

  return {
    async ids(songId, want, after) {
      const key = String(songId);
      const held = kept.get(key);
      const order = held && now() - held.builtAt <= opts.ttlMs ? held : await build(songId, key);
      const start = after ? firstAfter(order.rows, after) : 0;
      return order.rows.slice(start, start + want);
    },
    move(songId, id, score) {
      const key = String(songId);
      movedDuringBuild.get(key)?.push({ id, score });
      const order = kept.get(key);
      if (order) placeRow(order.rows, { id, score });
    },
    get size() {
      return kept.size;
    },
  };
}
