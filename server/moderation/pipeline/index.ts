// The pipeline as the posting service runs it: the settings in force, the poster's tally, the clock.
import type { ForumDeps } from '../../deps';
import { isMemberName } from '../../accounts/names';
import { tallyOf } from '../tallies';
import { EDIT_PHASES, PHASES, screen, type Outcome, type Submission } from './phases';

export type { Outcome } from './phases';

export async function screenComment(
  deps: Pick<ForumDeps, 'db' | 'settings' | 'config'>,
  s: Pick<Submission, 'body' | 'userId' | 'form' | 'guestName'>,
  phases = PHASES,
): Promise<Outcome> {
  const rules = { ...deps.settings.current(), guestMinFillMs: deps.config.guestMinFillMs };
  return screen({ ...s, now: Date.now(), isMemberName: (name) => isMemberName(deps.db.conn, name), approvedComments: async () => (s.userId ? (await tallyOf(deps, s.userId)).visible : 0) }, rules, phases);
}

/** An author's edit: refused for banned words, held as a new post would be (premoderation, suspect words, links). */
export const screenAuthorEdit = (deps: Pick<ForumDeps, 'db' | 'settings' | 'config'>, s: Pick<Submission, 'body' | 'userId'>): Promise<Outcome> =>
  screenComment(deps, s, EDIT_PHASES);
