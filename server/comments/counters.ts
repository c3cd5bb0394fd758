// Counter updates, one at a time per document within this process.
// Measured: FerretDB v1.24 (the embedded database) applies concurrent `$inc`s to one document as
// read-modify-write, so 50 simultaneous increments can leave +1. MongoDB's `$inc` is atomic; FerretDB's is
// not, so every counter write (and the vote swap that decides its delta) runs through a per-document queue.
// Several forum instances on one embedded database can still race; production MongoDB cannot.
import type { Connection } from 'mongoose';

const queues = new WeakMap<Connection, Map<string, Promise<unknown>>>();

/** Runs fn after every earlier fn of the same key on this connection has settled. */
export function oneAtATime<T>(conn: Connection, key: string, fn: () => Promise<T>): Promise<T> {
  let byKey = queues.get(conn);
  if (!byKey) queues.set(conn, (byKey = new Map()));
  const previous = byKey.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  byKey.set(key, settled);
  // Forget the key once nothing is queued behind this call, so the map does not grow with every comment.
  void settled.then(() => {
    if (byKey.get(key) === settled) byKey.delete(key);
  });
  return run;
}
