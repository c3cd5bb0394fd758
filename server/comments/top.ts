// The `top` order of threads on the embedded database, kept in memory.
// FerretDB (SQLite) answers a sorted query by reading and sorting the whole comments collection, seconds per
// page once it holds thousands of comments. So each instance keeps, per thread it was asked about, the thread's
// comment ids in (score desc, id asc) order: built by one such read, moved by this instance's own posts and votes
// at once, and rebuilt when older than TOP_TTL_MS so other instances' votes show within it. Pages then read their
// comments by _id. On MongoDB the (songId, score, _id) index serves `top` directly and none of this is used.
import type { Connection, Types } from 'mongoose';
import mongoose from 'mongoose';
import { commentModel } from './model';

export const TOP_TTL_MS = 30_000;
/** Threads whose order one instance keeps at most. */
const MAX_THREADS_KEPT = 500;

interface Ranked {
  id: string;
  score: number;
}
interface Order {
  builtAt: number;
  rows: Ranked[];
}

const orders = new WeakMap<Connection, Map<string, Promise<Order>>>();

const before = (a: Ranked, b: Ranked) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Index of the first row that comes after `mark` in top order. */
function firstAfter(rows: Ranked[], mark: Ranked): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(rows[mid], mark) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function ordersOf(conn: Connection): Map<string, Promise<Order>> {
  let byThread = orders.get(conn);
  if (!byThread) orders.set(conn, (byThread = new Map()));
  return byThread;
}

async function build(conn: Connection, songId: Types.ObjectId, statuses: string[]): Promise<Order> {
  const builtAt = Date.now();
  const found = await commentModel(conn)
    .find({ songId, status: mongoose.trusted({ $in: statuses }) }, { _id: 1, score: 1 })
    .lean<{ _id: Types.ObjectId; score?: number }[]>();
  return { builtAt, rows: found.map((c) => ({ id: String(c._id), score: c.score ?? 0 })).sort(before) };
}

/** Up to `want` comment ids of the thread in top order, after the cursor's (score, id) when given. */
export async function topIds(conn: Connection, songId: Types.ObjectId, statuses: string[], want: number, after?: Ranked): Promise<Ranked[]> {
  const byThread = ordersOf(conn);
  const key = String(songId);
  let order = byThread.get(key);
  if (!order || Date.now() - (await order).builtAt > TOP_TTL_MS) {
    order = build(conn, songId, statuses);
    byThread.delete(key);
    byThread.set(key, order);
    // Threads asked about longest ago go first once many are kept (a Map iterates in insertion order).
    if (byThread.size > MAX_THREADS_KEPT) byThread.delete(byThread.keys().next().value!);
    // A failed read is not kept: the next request tries again.
    order.catch(() => byThread.get(key) === order && byThread.delete(key));
  }
  const { rows } = await order;
  const start = after ? firstAfter(rows, after) : 0;
  return rows.slice(start, start + want);
}

/** Places a comment at its (new) score in the thread's order, if this instance keeps one. */
export function moveInTop(conn: Connection, songId: Types.ObjectId, id: string, score: number): void {
  const order = orders.get(conn)?.get(String(songId));
  void order?.then(({ rows }) => {
    const at = rows.findIndex((r) => r.id === id);
    if (at >= 0) rows.splice(at, 1);
    const row = { id, score };
    rows.splice(firstAfter(rows, row), 0, row);
  }, () => undefined);
}
