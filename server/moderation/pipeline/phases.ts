// The phases every new comment passes, in order, before it is written (like Coral's moderation phases): each is a
// small named function of the submission and the settings, answering nothing (go on), "refuse" (an error, nothing
// stored) or "hold" (stored as pending, for a moderator). Refusals come first, so a refused comment never waits.
import type { ModerationSettings } from '../../../shared/schemas';
import { Invalid } from '../../errors';
import { countLinks, matchWords } from './words';

export interface Submission {
  body: string;
  /** null for a guest. */
  userId: string | null;
  /** A guest's name (as cleaned by the schema). */
  guestName?: string | null;
  /** Whether a member's username or display name reads as this name (accounts/names.ts). */
  isMemberName(name: string): Promise<boolean>;
  /** The poster's visible comments so far (asked only when premoderation is "new"). */
  approvedComments(): Promise<number>;
  /** A guest's page form: the honeypot's value and when the form was rendered (null: not one of our forms). */
  form?: { trap: string; renderedAt: number | null } | null;
  now: number;
}

export interface Rules extends ModerationSettings {
  guestMinFillMs: number;
}

export type Verdict = { refuse: Invalid } | { hold: string } | null;
export type Phase = (s: Submission, rules: Rules) => Verdict | Promise<Verdict>;

/** Members who have this many visible comments are no longer "new". */
export const NEW_MEMBER_APPROVALS = 3;

const notAccepted = () => new Invalid('NOT_ACCEPTED', 'Your comment could not be accepted. Take a moment, then post it again.');

/** A guest's form whose hidden field was filled in, or that was sent sooner than a person could: a bot's. */
export const formTrap: Phase = (s, rules) => {
  if (s.userId || !s.form) return null;
  if (s.form.trap) return { refuse: notAccepted() };
  if (s.form.renderedAt === null || s.now - s.form.renderedAt < rules.guestMinFillMs) return { refuse: notAccepted() };
  return null;
};

/** A guest's name that a reader could take for a member's (any case, accents, invisible characters aside). */
export const guestPosingAsMember: Phase = async (s) => {
  if (s.userId || !s.guestName || !(await s.isMemberName(s.guestName))) return null;
  return { refuse: new Invalid('NAME_TAKEN', "author.name: is a member's name here; guests post under a name of their own (sign in if it is yours)") };
};

const bannedWordsError = () => new Invalid('BANNED_WORDS', 'Your comment uses words this forum does not allow. Change them and post again.');

export const bannedWords: Phase = (s, rules) => (matchWords(s.body, rules.bannedWords).length ? { refuse: bannedWordsError() } : null);

/** A moderator's edit may not bring in what a post could not. */
export function refuseBannedWords(body: string, banned: readonly string[]): void {
  if (matchWords(body, banned).length) throw bannedWordsError();
}

export const premoderation: Phase = async (s, rules) => {
  if (rules.premoderation === 'all') return { hold: 'every comment is reviewed' };
  if (rules.premoderation !== 'new') return null;
  if (!s.userId) return { hold: 'guest comments are reviewed' };
  return (await s.approvedComments()) < NEW_MEMBER_APPROVALS ? { hold: 'new member' } : null;
};

export const suspectWords: Phase = (s, rules) => {
  const found = matchWords(s.body, rules.suspectWords);
  return found.length ? { hold: `suspect words: ${found.join(', ')}` } : null;
};

export const linkCount: Phase = (s, rules) => {
  const links = countLinks(s.body);
  return links > rules.maxLinks ? { hold: `${links} links (at most ${rules.maxLinks})` } : null;
};

/** The order matters: refusals, then holds. */
export const PHASES: readonly Phase[] = [formTrap, guestPosingAsMember, bannedWords, premoderation, suspectWords, linkCount];
/**
 * An author's edit of their comment: its new text meets what a post's would (a moderator approved the old text, not
 * this one); who posts and through which form were settled by the post.
 */
export const EDIT_PHASES: readonly Phase[] = [bannedWords, premoderation, suspectWords, linkCount];

export interface Outcome {
  status: 'visible' | 'pending';
  /** Why it is held (every holding phase's reason), empty when visible. */
  heldFor: string[];
}

/** Runs the phases: throws the first refusal; holds when any phase holds. */
export async function screen(s: Submission, rules: Rules, phases: readonly Phase[] = PHASES): Promise<Outcome> {
  const heldFor: string[] = [];
  for (const phase of phases) {
    const v = await phase(s, rules);
    if (!v) continue;
    if ('refuse' in v) throw v.refuse;
    heldFor.push(v.hold);
  }
  return { status: heldFor.length ? 'pending' : 'visible', heldFor };
}
