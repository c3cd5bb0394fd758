// Who moderates: the policy's answer, as asserts for the moderation services. Every refusal is 403 FORBIDDEN.
import type { Role, UserDTO } from '../../shared/types';
import { Forbidden } from '../errors';

const rank: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };

export const isModerator = (u: Pick<UserDTO, 'role'> | null): boolean => !!u && rank[u.role] >= rank.moderator;

/**
 * Forbidden for anyone below `role`, signed in or not (the contract: every refusal here is 403 FORBIDDEN); a reader
 * is told to sign in. The moderation pages send a signed-out reader to the login page before asking.
 */
export function requireRole(actor: UserDTO | null, role: 'moderator' | 'admin'): asserts actor is UserDTO {
  const who = role === 'admin' ? 'admins' : 'moderators';
  if (!actor) throw new Forbidden(`Only ${who} may do that: sign in as one.`);
  if (rank[actor.role] < rank[role]) throw new Forbidden(`Only ${who} may do that.`);
}

/** A moderator acts on members only; an admin on members and moderators; nobody on an admin or on themselves. */
export function outranks(actor: Pick<UserDTO, 'id' | 'role'>, target: Pick<UserDTO, 'id' | 'role'>): boolean {
  return actor.id !== target.id && rank[actor.role] > rank[target.role];
}
