// What a guest's browser remembers (local storage): their name and place for the next form, and the secrets that
// let it edit or delete its own comments within the edit window. Storage may be off or full: then nothing is kept.
export interface GuestIdentity {
  name?: string;
  location?: string;
}

const IDENTITY = 'chorus.guest';
const TOKENS = 'chorus.guestTokens';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or a full store: the guest types their name again next time.
  }
}

export const rememberedGuest = (): GuestIdentity => read<GuestIdentity>(IDENTITY, {});
export const rememberGuest = (g: GuestIdentity) => write(IDENTITY, { name: g.name?.trim() || undefined, location: g.location?.trim() || undefined });

type Tokens = Record<string, { token: string; until: number }>;

/** Keeps a post's secret until its edit window closes; expired ones are dropped as new ones come. */
export function keepGuestToken(commentId: string, token: string, until: number): void {
  const now = Date.now();
  const kept = Object.fromEntries(Object.entries(read<Tokens>(TOKENS, {})).filter(([, t]) => t.until > now));
  write(TOKENS, { ...kept, [commentId]: { token, until } });
}

/** The secret for one of this browser's comments, while its edit window is open. */
export function guestTokenOf(commentId: string, now = Date.now()): string | null {
  const t = read<Tokens>(TOKENS, {})[commentId];
  return t && t.until > now ? t.token : null;
}
