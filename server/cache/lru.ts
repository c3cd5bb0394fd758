// A least-recently-used map bounded by bytes: each entry says its size; the oldest go when the budget is passed.

export interface ByteLru<V extends { bytes: number }> {
  get(key: string): V | undefined;
  /** Stores `value` (unless it alone is larger than the budget); answers how many entries were evicted. */
  set(key: string, value: V): number;
  delete(key: string): void;
  clear(): void;
  readonly bytes: number;
  readonly size: number;
}

export function byteLru<V extends { bytes: number }>(budget: number): ByteLru<V> {
  const entries = new Map<string, V>();
  let bytes = 0;
  const drop = (key: string) => {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    bytes -= old.bytes;
  };
  return {
    get(key) {
      const v = entries.get(key);
      if (v) {
        // Map keeps insertion order: moving the entry to the end makes it the most recently used.
        entries.delete(key);
        entries.set(key, v);
      }
      return v;
    },
    set(key, value) {
      drop(key);
      if (value.bytes > budget) return 0;
      entries.set(key, value);
      bytes += value.bytes;
      let evicted = 0;
      for (const oldest of entries.keys()) {
        if (bytes <= budget) break;
        drop(oldest);
        evicted++;
      }
      return evicted;
    },
    delete: drop,
    clear() {
      entries.clear();
      bytes = 0;
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
  };
}
