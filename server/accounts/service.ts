// Account operations: register, verify a password, read and edit a profile, set a role. No req/res here;
// routes, the pages' no-JavaScript forms, the admin CLI and tests all come through these functions.
import { Types } from 'mongoose';
import type { RegisterInput, UpdateMeInput } from '../../shared/schemas';
import type { Role, UserDTO } from '../../shared/types';
import type { ForumDeps, SessionMember } from '../deps';
import { Conflict, NotFound, Unauthenticated } from '../errors';
import { cleanName, nameKey } from '../../shared/names';
import { credentialModel, userModel, type UserDoc } from './model';
import { holdMemberNames, releaseMemberName } from './names';
import { dummyHash, hashPassword, verifyPassword } from './password';
import { checkPassword } from './password-policy';

/** The member cache is there in the forum (a write moves the member's version); the admin command runs without it. */
type Deps = Pick<ForumDeps, 'db'> & Partial<Pick<ForumDeps, 'memberCache'>>;

export const usernameKey = (username: string) => username.trim().toLowerCase();

export function toUserDTO(u: UserDoc): UserDTO {
  return {
    id: String(u._id),
    username: u.username,
    // Cleaned again on the way out for names stored before input was cleaned (shared/names.ts).
    displayName: cleanName(u.displayName) || u.username,
    location: u.location ? cleanName(u.location) || null : null,
    role: u.role as Role,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;
const usernameTaken = () => new Conflict('That username is taken.', 'USERNAME_TAKEN');
const emptyToNull = (s: string | null | undefined) => (s ? s : null);

/** Creates a member (409 USERNAME_TAKEN when the name exists in any letter case). Input is already validated. */
export async function registerUser(deps: Deps, input: RegisterInput, role: Role = 'member'): Promise<UserDTO> {
  const Users = userModel(deps.db.conn);
  // The unique username index must exist before the first insert of a fresh database (init() is memoised).
  await Promise.all([Users.init(), credentialModel(deps.db.conn).init()]);
  const displayName = input.displayName?.trim() || input.username.trim();
  await checkPassword(input.password, { username: input.username.trim(), displayName });
  // Hash first: a slow hash must not sit between the existence check and the insert of someone else.
  const hash = await hashPassword(input.password);
  let user: UserDoc;
  try {
    const created = await Users.create({
      username: input.username.trim(),
      usernameKey: usernameKey(input.username),
      displayName,
      displayNameKey: nameKey(displayName),
      location: emptyToNull(input.location),
      role,
    });
    user = created.toObject() as UserDoc;
  } catch (err) {
    if (isDuplicateKey(err)) throw usernameTaken();
    throw err;
  }
  try {
    await credentialModel(deps.db.conn).create({ userId: user._id, hash });
    await holdMemberNames(deps.db.conn, [user.username, displayName]);
  } catch (err) {
    // No half-made accounts: a member without a password could never log in, and would hold the name.
    await Users.deleteOne({ _id: user._id });
    throw err;
  }
  return toUserDTO(user);
}

/** No member has this id (ObjectIds we create are never zero): the credential lookup of an unknown username. */
const NOBODY = new Types.ObjectId('000000000000000000000000');

/**
 * The member whose password this is, or null. Both failures do the same work, so their timing tells nothing:
 * one user lookup, one credential lookup (by a dummy id for an unknown username) and one argon2 verification
 * (against a dummy hash when there is no credential).
 */
export async function verifyCredentials(deps: Deps, username: string, password: string): Promise<UserDTO | null> {
  if (typeof username !== 'string' || typeof password !== 'string') return null;
  const user = await userModel(deps.db.conn).findOne({ usernameKey: usernameKey(username) }).lean<UserDoc>();
  const cred = await credentialModel(deps.db.conn).findOne({ userId: user?._id ?? NOBODY }).lean();
  const ok = await verifyPassword(user && cred ? cred.hash : await dummyHash(), password);
  return ok && user && cred ? toUserDTO(user) : null;
}

export async function findUserById(deps: Deps, id: string): Promise<UserDTO | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const user = await userModel(deps.db.conn).findById(id).lean<UserDoc>();
  return user ? toUserDTO(user) : null;
}

/** The member of a session and when their password last changed (sessions signed in before it are over). */
export async function findSessionMember(deps: Deps, id: string): Promise<SessionMember | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const user = await userModel(deps.db.conn).findById(id).lean<UserDoc>();
  return user ? { user: toUserDTO(user), passwordChangedAt: user.passwordChangedAt ?? null } : null;
}

export async function findUserByUsername(deps: Deps, username: string): Promise<UserDTO | null> {
  const user = await userModel(deps.db.conn).findOne({ usernameKey: usernameKey(username) }).lean<UserDoc>();
  return user ? toUserDTO(user) : null;
}

export async function updateProfile(deps: Deps, userId: string, input: UpdateMeInput): Promise<UserDTO> {
  const set: Record<string, unknown> = {};
  if (input.displayName !== undefined) Object.assign(set, { displayName: input.displayName, displayNameKey: nameKey(input.displayName) });
  if (input.location !== undefined) set.location = emptyToNull(input.location);
  const Users = userModel(deps.db.conn);
  const before = await Users.findById(userId).lean<UserDoc>();
  if (!before) throw new Unauthenticated('Your account no longer exists.');
  // Held before it is taken, so no guest posts under the new name in between.
  if (input.displayName !== undefined) await holdMemberNames(deps.db.conn, [input.displayName]);
  const user = await Users.findOneAndUpdate({ _id: userId }, { $set: set }, { new: true }).lean<UserDoc>();
  await deps.memberCache?.records.changed(userId);
  if (!user) throw new Unauthenticated('Your account no longer exists.');
  if (nameKey(before.displayName) !== nameKey(user.displayName)) await releaseMemberName(deps.db.conn, before.displayName);
  return toUserDTO(user);
}

export async function setRole(deps: Deps, userId: string, role: Role): Promise<UserDTO> {
  const user = await userModel(deps.db.conn)
    .findOneAndUpdate({ _id: userId }, { $set: { role } }, { new: true, runValidators: true })
    .lean<UserDoc>();
  await deps.memberCache?.records.changed(userId);
  if (!user) throw new NotFound('No such member.');
  return toUserDTO(user);
}

/** Every password change comes through here, so the policy holds for each (the admin CLI's today). */
export async function setPassword(deps: Deps, userId: string, password: string): Promise<void> {
  const user = await findUserById(deps, userId);
  if (!user) throw new NotFound('No such member.');
  await checkPassword(password, user);
  const hash = await hashPassword(password);
  await credentialModel(deps.db.conn).updateOne({ userId: new Types.ObjectId(userId) }, { $set: { hash } }, { upsert: true });
  // A new password ends the member's sessions, as a change of their own does (password-change.ts): a reset after a
  // compromise must not leave the intruder signed in. From the admin command (another process) running forums see it
  // within the member cache's age (member-cache.ts).
  await userModel(deps.db.conn).updateOne({ _id: userId }, { $set: { passwordChangedAt: new Date() } });
  await deps.memberCache?.records.changed(userId);
}

/** Creates an account, or updates the password (and role, when given) of an existing one: the admin CLI's verb. */
export async function createUser(
  deps: Deps,
  input: { username: string; password: string; role?: Role; displayName?: string },
): Promise<{ user: UserDTO; created: boolean }> {
  const existing = await findUserByUsername(deps, input.username);
  if (!existing) {
    const user = await registerUser(deps, { username: input.username, password: input.password, displayName: input.displayName }, input.role ?? 'member');
    return { user, created: true };
  }
  await setPassword(deps, existing.id, input.password);
  const user = input.role && input.role !== existing.role ? await setRole(deps, existing.id, input.role) : existing;
  return { user, created: false };
}
