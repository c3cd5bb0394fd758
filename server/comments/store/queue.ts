// Work on one key, one at a time, within this process.
// Measured: FerretDB v1.24 (the embedded database) applies concurrent `$inc`s to one document as
// read-modify-write, so 50 simultaneous increments can leave +1. The embedded thread store runs every counter
// move (and the vote swap that decides its delta) and every position claim of a thread through one of these.

export interface KeyedQueue {
  /** Runs fn after every earlier fn of the same key has settled; different keys run side by side. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running (forgotten once idle, so the queue does not grow with every comment). */
  readonly size: number;
  /**
   * Whether other instances take turns on the same keys (the Redis queue). This one does not: it is chosen when one
   * instance has the database to itself, so what it last wrote under a key is what the database holds.
   */
  readonly acrossInstances: boolean;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(fn);
      const settled = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, settled);
      void settled.then(() => {
        if (tails.get(key) === settled) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
    acrossInstances: false,
  };
}
