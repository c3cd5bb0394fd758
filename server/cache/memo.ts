// Values kept per key and version, for what a signed-in request reads each time and rarely changes (a member's
// record, their unread count): the same versions as threads (versions.ts: in Redis with REDIS_URL, else in process),
// so a change made on any instance is seen by the next read on every one. A value is kept under the version read
// before it was loaded: a write that lands meanwhile moves the version past it, so it is never served. `maxAgeMs`
// bounds how long a value is trusted for writes that move no version (a command-line tool run without Redis).
import { byteLru } from './lru';
import type { ThreadVersions } from './versions';

export interface VersionedMemo<T> {
  /** The value of `id`: kept, or loaded by `load` (also whenever the version cannot be known: Redis away). */
  get(id: string, load: () => Promise<T>): Promise<T>;
  /** `id` changed: after the write, before the writer answers. Never throws. */
  changed(id: string): Promise<void>;
  close(): void;
}

export interface MemoOptions {
  /** Values kept at most (least recently used go first). */
  maxEntries: number;
  maxAgeMs: number;
  now?: () => number;
}

export function versionedMemo<T>(versions: ThreadVersions, opts: MemoOptions): VersionedMemo<T> {
  const now = opts.now ?? Date.now;
  // Least recently used first out, counted by entries (each weighs 1).
  const kept = byteLru<{ version: number; at: number; value: T; bytes: 1 }>(opts.maxEntries);
  // Moves when everything kept is dropped (Redis went away): a load begun before keeps nothing.
  let generation = 0;
  versions.onDoubt(() => {
    generation++;
    kept.clear();
  });
  return {
    async get(id, load) {
      const version = await versions.current(id);
      if (version === null) return load();
      const held = kept.get(id);
      if (held && held.version === version && now() - held.at < opts.maxAgeMs) return held.value;
      const at = now();
      const startedIn = generation;
      const value = await load();
      const newer = kept.get(id);
      if (startedIn === generation && (!newer || newer.version <= version)) kept.set(id, { version, at, value, bytes: 1 });
      return value;
    },
    changed: (id) => versions.bump(id),
    close() {
      kept.clear();
      versions.close();
    },
  };
}
