// Who may act on a comment, and finding the comment acted on: the checks every comment service starts with.
import { createHash, timingSafeEqual } from 'node:crypto';
import mongoose from 'mongoose';
import type { UserDTO } from '../../shared/types';
import { can, type Action, type CommentTarget, type PolicyContext } from '../accounts/policy';
import type { ForumDeps } from '../deps';
import { Forbidden, Invalid, NotFound, Unauthenticated } from '../errors';
import { commentModel, type CommentRecord } from './model';

export const policyContext = (deps: Pick<ForumDeps, 'config' | 'settings'>, now = new Date()): PolicyContext => ({
  now,
  editWindowMs: deps.config.editWindowMs,
  guestPosting: deps.settings.current().guestPosting,
});

export const targetOf = (c: CommentRecord, guestToken?: string | null): CommentTarget => ({
  authorUserId: c.author.userId ?? null,
  createdAt: c.createdAt,
  status: c.status,
  guestProven: !!guestToken && guestTokenMatches(c, guestToken),
});

export const hashGuestToken = (token: string) => createHash('sha256').update(token).digest('hex');

function guestTokenMatches(c: CommentRecord, token: string): boolean {
  if (!c.guestTokenHash) return false;
  const [a, b] = [Buffer.from(hashGuestToken(token)), Buffer.from(c.guestTokenHash)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * For an author's own acts (edit, remove): a member by the policy, or a guest whose request carries the secret
 * their browser was given with the post. Unauthenticated for a reader with neither, Forbidden otherwise.
 */
export function authoriseAuthor(
  deps: Pick<ForumDeps, 'config' | 'settings'>,
  user: UserDTO | null,
  action: 'comment.edit' | 'comment.remove',
  comment: CommentRecord,
  opts: { refusal: string; now?: Date; guestToken?: string | null },
): void {
  if (can(user, action, policyContext(deps, opts.now), targetOf(comment, opts.guestToken))) return;
  if (!user && !opts.guestToken) throw new Unauthenticated('Sign in first.');
  throw new Forbidden(opts.refusal);
}

/** Unauthenticated for a reader without a session, Forbidden for a member the policy refuses; narrows `user`. */
export function authorise(
  deps: Pick<ForumDeps, 'config' | 'settings'>,
  user: UserDTO | null,
  action: Action,
  comment?: CommentRecord,
  opts: { refusal?: string; now?: Date } = {},
): asserts user is UserDTO {
  if (user && can(user, action, policyContext(deps, opts.now), comment && targetOf(comment))) return;
  if (!user) throw new Unauthenticated('Sign in first.');
  throw new Forbidden(opts.refusal ?? 'You may not do that.');
}

export const oid = (id: string) => new mongoose.Types.ObjectId(id);
export const isObjectId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id);

export async function findComment(deps: Pick<ForumDeps, 'db'>, id: string): Promise<CommentRecord> {
  if (!isObjectId(id)) throw new Invalid('VALIDATION', 'id: is not a valid id');
  const c = await commentModel(deps.db.conn).findOne({ _id: oid(id) }).lean<CommentRecord>();
  if (!c) throw new NotFound('No such comment.');
  return c;
}
