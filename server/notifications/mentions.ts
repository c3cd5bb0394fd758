// Who a comment mentions: `@username` as a word of its own (not inside an email address or a longer word).
import { LIMITS } from '../../shared/limits';

/** At most this many members are notified by one comment's mentions (a list of names is not a broadcast). */
export const MAX_MENTIONS = 10;

const MENTION = /(^|[^\w@.-])@([A-Za-z0-9_-]+)/g;

/** The lower-cased usernames a comment body mentions, in order of first mention, without repeats. */
export function mentionedUsernames(body: string): string[] {
  const found = new Set<string>();
  for (const m of body.matchAll(MENTION)) {
    // A trailing "-" or "_" is punctuation in prose ("@ana-"), not part of the name.
    const name = m[2].replace(/[-_]+$/, '').toLowerCase();
    if (name.length < LIMITS.username.min || name.length > LIMITS.username.max) continue;
    found.add(name);
    if (found.size >= MAX_MENTIONS) break;
  }
  return [...found];
}
