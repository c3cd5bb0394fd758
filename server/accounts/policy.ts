// The one authorisation policy: pure functions answering "may this person do this to that?".
// Every route and socket handler asks here; nothing else compares roles.
import type { CommentStatus, Role, UserDTO } from '../../shared/types';

export type Actor = Pick<UserDTO, 'id' | 'role'> | null;

export interface CommentTarget {
  authorUserId: string | null;
  createdAt: Date;
  status: CommentStatus;
  /** The request holds the secret its guest author's browser was given (a guest's own comment). */
  guestProven?: boolean;
}

export type Action =
  | 'comment.post'
  | 'comment.edit'
  | 'comment.remove'
  | 'comment.vote'
  | 'comment.flag'
  | 'comment.moderate'
  | 'song.create'
  | 'user.setRole';

export interface PolicyContext {
  now: Date;
  editWindowMs: number;
  guestPosting: boolean;
}

const rank: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };
/** `u` has `role` or a higher one. */
export const roleAtLeast = (u: Pick<UserDTO, 'role'> | null, role: Role): boolean => !!u && rank[u.role] >= rank[role];
export const isModerator = (u: Pick<UserDTO, 'role'> | null): boolean => roleAtLeast(u, 'moderator');
/** A moderator acts on members only; an admin on members and moderators; nobody on an admin or on themselves. */
export const outranks = (actor: Pick<UserDTO, 'id' | 'role'>, target: Pick<UserDTO, 'id' | 'role'>): boolean =>
  actor.id !== target.id && rank[actor.role] > rank[target.role];
const owns = (actor: Actor, c: CommentTarget) => !!actor && c.authorUserId !== null && c.authorUserId === actor.id;
const guestOwns = (c: CommentTarget) => c.authorUserId === null && !!c.guestProven;
const inWindow = (c: CommentTarget, ctx: PolicyContext) => ctx.now.getTime() - c.createdAt.getTime() <= ctx.editWindowMs;

export function can(actor: Actor, action: Action, ctx: PolicyContext, comment?: CommentTarget): boolean {
  switch (action) {
    case 'comment.post':
      return !!actor || ctx.guestPosting;
    case 'comment.vote':
    case 'comment.flag':
      // Nobody raises their own comment or reports it.
      return !!actor && !!comment && comment.status === 'visible' && !owns(actor, comment);
    case 'comment.edit':
      if (!comment || comment.status === 'removed') return false;
      if (roleAtLeast(actor, 'moderator')) return true;
      // A rejected comment is kept as the moderator judged it (the queue's Rejected tab shows that text).
      return comment.status !== 'rejected' && (owns(actor, comment) || guestOwns(comment)) && inWindow(comment, ctx);
    case 'comment.remove':
      if (!comment || comment.status === 'removed') return false;
      // A guest's browser may take its comment back only while it could still edit it.
      return roleAtLeast(actor, 'moderator') || owns(actor, comment) || (guestOwns(comment) && inWindow(comment, ctx));
    case 'comment.moderate':
      return roleAtLeast(actor, 'moderator');
    case 'song.create':
    case 'user.setRole':
      return roleAtLeast(actor, 'admin');
  }
}
