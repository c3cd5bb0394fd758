// Who moderates: the policy's answer, as asserts for the moderation services. Every refusal is 403 FORBIDDEN.
import type { UserDTO } from '../../shared/types';
import { roleAtLeast } from '../accounts/policy';
import { Forbidden } from '../errors';

export { isModerator, outranks } from '../accounts/policy';

/**
 * Forbidden for anyone below `role`, signed in or not (the contract: every refusal here is 403 FORBIDDEN); a reader
 * is told to sign in. The moderation pages send a signed-out reader to the login page before asking.
 */
export function requireRole(actor: UserDTO | null, role: 'moderator' | 'admin'): asserts actor is UserDTO {
  const who = role === 'admin' ? 'admins' : 'moderators';
  if (!actor) throw new Forbidden(`Only ${who} may do that: sign in as one.`);
  if (!roleAtLeast(actor, role)) throw new Forbidden(`Only ${who} may do that.`);
}
