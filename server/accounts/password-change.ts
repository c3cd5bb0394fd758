// Changing one's password: the current one first, then every other session of the member ends (on every
// instance, their sockets too); the session that changed it stays signed in.
import { Types } from 'mongoose';
import type { ChangePasswordInput } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { Invalid, Unauthenticated } from '../errors';
import { credentialModel, userModel } from './model';
import { hashPassword, verifyPassword } from './password';
import { checkPassword } from './password-policy';

/**
 * `keepSession` is the changing request's session: it is stamped as signed in at the change, so it alone
 * outlives it. Other sessions are judged stale when next read (passport.ts compares the times), and their open
 * sockets are closed now through the bus.
 */
export async function changePassword(
  deps: Pick<ForumDeps, 'db' | 'bus' | 'memberCache' | 'limits'>,
  userId: string,
  input: ChangePasswordInput,
  keepSession: { id: string; stamp(at: number): Promise<void> } | null,
): Promise<void> {
  // The new password meets the same policy as at registration (not common, not made of the member's names); a new
  // password the policy refuses tells nothing about the current one, so it spends none of the budget below.
  if (input.newPassword === input.currentPassword) throw new Invalid('VALIDATION', 'newPassword: must differ from your current password');
  const user = await userModel(deps.db.conn).findOne({ _id: new Types.ObjectId(userId) }, { username: 1, displayName: 1 }).lean<{ username: string; displayName: string }>();
  await checkPassword(input.newPassword, { username: user?.username ?? '', displayName: user?.displayName });
  // Each attempt is an argon2 verification (and, for whoever holds a stolen session, a guess): attempts are budgeted.
  await deps.limits.act('password', userId);
  const cred = await credentialModel(deps.db.conn).findOne({ userId: new Types.ObjectId(userId) }).lean();
  if (!cred || !(await verifyPassword(cred.hash, input.currentPassword))) {
    throw new Unauthenticated('Your current password is not right.', 'INVALID_CREDENTIALS');
  }
  const hash = await hashPassword(input.newPassword);
  const at = Date.now();
  // The keeper first: between the two writes it is already newer than the change.
  await keepSession?.stamp(at);
  await credentialModel(deps.db.conn).updateOne({ userId: cred.userId }, { $set: { hash } });
  await userModel(deps.db.conn).updateOne({ _id: cred.userId }, { $set: { passwordChangedAt: new Date(at) } });
  await deps.memberCache.records.changed(userId);
  deps.bus.emit('member.sessions-ended', { userId, keepSessionId: keepSession?.id ?? null });
}
