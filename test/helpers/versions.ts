// Thread (or member) versions under a test's control, for the caches' unit tests: set one, make it unknown (null,
// as with Redis away), or say the versions are in doubt.
import type { ThreadVersions } from '../../server/cache/versions';

export function fakeVersions() {
  const v = new Map<string, number | null>();
  const listeners: (() => void)[] = [];
  const versions: ThreadVersions = {
    current: async (k) => (v.has(k) ? v.get(k)! : 1),
    bump: async (k) => void v.set(k, (v.get(k) ?? 1) + 1),
    onDoubt: (l) => void listeners.push(l),
    close: () => {},
  };
  return { versions, set: (k: string, n: number | null) => v.set(k, n), doubt: () => listeners.forEach((l) => l()) };
}
