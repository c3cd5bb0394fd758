// Error messages in words a person reads, for forms (server-rendered and in the browser): the API's messages name
// fields by path ("body: is required"); a form says "Your comment is required." No zod here: the browser imports it.
import type { ErrorCode } from './errors';

const FIELDS: Record<string, string> = {
  body: 'Your comment',
  name: 'Your name',
  'author.name': 'Your name',
  location: 'Where you are from',
  'author.location': 'Where you are from',
  reason: 'The reason',
  displayName: 'Your display name',
  currentPassword: 'Your current password',
  newPassword: 'The new password',
  password: 'The password',
  username: 'The username',
  value: 'The vote',
  until: "The ban's end",
  role: 'The role',
  premoderation: 'Premoderation',
  guestPosting: 'Guest posting',
  bannedWords: 'Banned words',
  suspectWords: 'Suspect words',
  maxLinks: 'Most links',
  flagThreshold: "Members' flags that hold a comment",
};

/** Whole sentences for codes whose API message is about the request rather than the person. */
const BY_CODE: Partial<Record<ErrorCode, string>> = {
  INVALID_PARENT: 'The comment you are replying to is no longer in this thread.',
  CSRF: 'This form came from another site, so nothing was changed.',
  PAYLOAD_TOO_LARGE: 'That is too long to send.',
  DB_UNAVAILABLE: 'The forum cannot reach its database just now. Please try again shortly.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
};

const sentence = (s: string) => {
  const t = s.trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : t;
};

/** "body: must be at most 5000 characters; author.name: is required" -> "Your comment must be at most 5000 characters. Your name is required." */
export function inWords(code: string, message: string): string {
  const known = BY_CODE[code as ErrorCode];
  if (known) return known;
  return message
    .split(/;\s+/)
    .map((part) => {
      const m = /^([\w.]+): (.*)$/.exec(part);
      if (!m) return sentence(part);
      const field = FIELDS[m[1]];
      return sentence(field ? `${field} ${m[2]}` : m[2]);
    })
    .join(' ');
}

/** "1 comment", "2 comments": a count with its noun. */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "an admin", "a moderator", "a member": a role as a sentence names it. */
export const roleWithArticle = (role: string) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

/** When a timed ban ends, to the minute and the same on server and browser: "2026-12-01 14:05 UTC". */
export const banEnd = (until: string) => `${until.slice(0, 10)} ${until.slice(11, 16)} UTC`;
