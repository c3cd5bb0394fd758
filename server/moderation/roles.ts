// Who moderates: the policy's answer, as asserts for the moderation services. Every refusal is 403 FORBIDDEN.
import type { Role, UserDTO } from '../../shared/types';
import { Forbidden, Unauthenticated } from '../errors';

const rank: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };

export const isModerator = (u: Pick<UserDTO, 'role'> | null): boolean => !!u && rank[u.role] >= rank.moderator;

/** Unauthenticated for readers, Forbidden for members below `role`. */
export function requireRole(actor: UserDTO | null, role: 'moderator' | 'admin'): asserts actor is UserDTO {
  if (!actor) throw new Unauthenticated('Sign in first.');
  if (rank[actor.role] < rank[role]) throw new Forbidden(role === 'admin' ? 'Only admins may do that.' : 'Only moderators may do that.');
}

/** A moderator acts on members only; an admin on members and moderators; nobody on an admin or on themselves. */
export function outranks(actor: Pick<UserDTO, 'id' | 'role'>, target: Pick<UserDTO, 'id' | 'role'>): boolean {
  return actor.id !== target.id && rank[actor.role] > rank[target.role];
}
