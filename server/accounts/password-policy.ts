// What a password must be beyond its length (OWASP ASVS 5.0, 6.2): not a common or breached password, not a
// pattern a guesser tries first, and not built from the account's own names. Strength is zxcvbn's estimate
// against its common-password dictionary; server only, so the browser never downloads the dictionaries.
import { escapeRegex } from '../../shared/regex';
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';
import { Invalid } from '../errors';

/** zxcvbn's 0-4 scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenarios". */
export const MIN_SCORE = 3;

// The dictionaries are immutable data that take ~60 ms and a few MB to load: loaded once per process, at the first
// password that needs judging (never at start-up, never by a process that judges none), and shared by every forum.
let factory: Promise<ZxcvbnFactory> | null = null;
const checker = () =>
  (factory ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  })());

/** Why zxcvbn found a password weak, in words a person can act on. */
const WHY: Record<string, string> = {
  topTen: 'is one of the most common passwords',
  topHundred: 'is one of the most common passwords',
  common: 'is a commonly used password',
  similarToCommon: 'is too close to a commonly used password',
  pwned: 'has appeared in data breaches',
  straightRow: 'is a row of keys on the keyboard',
  keyPattern: 'is a keyboard pattern',
  simpleRepeat: 'is a repeated character',
  extendedRepeat: 'is a repeated pattern',
  sequences: 'is a sequence (like abc or 1234)',
  recentYears: 'is or ends with a recent year',
  dates: 'is or holds a date',
  wordByItself: 'is a single word',
  namesByThemselves: 'is a name',
  commonNames: 'is a common name',
  userInputs: 'is too close to your username or display name',
};

export interface PasswordContext {
  username: string;
  displayName?: string | null;
}

const invalid = (message: string) => new Invalid('VALIDATION', `password: ${message}`, [{ path: 'password', message }]);

/** Names this long count wherever they appear; shorter ones only standing apart from other letters ("ana" is in "banana"). */
const NAME_ANYWHERE = 6;

/** Whether the password holds the name: anywhere for a long name, not inside another word for a short one. */
function holdsName(lower: string, name: string): boolean {
  if (name.length >= NAME_ANYWHERE) return lower.includes(name);
  return new RegExp(`(?<!\\p{L})${escapeRegex(name)}(?!\\p{L})`, 'u').test(lower);
}

/** The reason a password is refused, or null when it is fine. */
export async function passwordProblem(password: string, who: PasswordContext): Promise<string | null> {
  const lower = password.toLowerCase();
  const names = [who.username, who.displayName ?? ''].map((n) => n.trim().toLowerCase()).filter((n) => n.length >= 3);
  if (names.some((n) => holdsName(lower, n))) return 'must not contain your username or display name';
  const result: ZxcvbnResult = (await checker()).check(password, names);
  if (result.score >= MIN_SCORE) return null;
  const why = (result.feedback.warning && WHY[result.feedback.warning]) || 'is too easy to guess';
  return `${why}; try three or four unrelated words`;
}

/** Throws 400 VALIDATION (`password: ...`) for a password a guesser would find. */
export async function checkPassword(password: string, who: PasswordContext): Promise<void> {
  const problem = await passwordProblem(password, who);
  if (problem) throw invalid(problem);
}
