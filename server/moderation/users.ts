// Members as moderators see them (ban state, visible comments), bans and role changes.
import mongoose from 'mongoose';
import type { ModerateUserInput, UsersQuery } from '../../shared/schemas';
import type { ModUser, Page, UserDTO } from '../../shared/types';
import { plural } from '../../shared/words';
import { userModel, type UserDoc } from '../accounts/model';
import { findUserById, setRole, toUserDTO } from '../accounts/service';
import { commentModel, type CommentRecord } from '../comments/model';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { Forbidden, Invalid, NotFound } from '../errors';
import { escapeRegex } from '../songs/text';
import { announce } from './announce';
import { activeBan, bansOf, liftBan, refuseBanned, saveBan, toBanDTO } from './bans';
import { recordAction } from './log';
import { outranks, requireRole } from './roles';
import { tallyOf } from './tallies';
import { moveComment, type MoveDeps } from './transitions';

async function toModUsers(deps: Pick<ForumDeps, 'db'>, users: UserDTO[]): Promise<ModUser[]> {
  const bans = await bansOf(deps, users.map((u) => u.id));
  const tallies = await Promise.all(users.map((u) => tallyOf(deps, u.id)));
  return users.map((u, i) => ({ ...u, banned: bans.get(u.id) ?? null, commentCount: tallies[i].visible }));
}

/** Newest members first; `q` matches part of a username or display name, any case. */
export async function listUsers(deps: Pick<ForumDeps, 'db'>, actor: UserDTO | null, query: UsersQuery): Promise<Page<ModUser>> {
  requireRole(actor, 'moderator');
  const filter: Record<string, unknown> = {};
  const q = query.q ? query.q.trim().toLowerCase() : '';
  if (q) filter.$or = [{ usernameKey: new RegExp(escapeRegex(q)) }, { displayName: new RegExp(escapeRegex(query.q!.trim()), 'i') }];
  if (query.cursor) {
    const c = decodeCursor(query.cursor, 'users');
    if (!mongoose.isValidObjectId(c.i)) throw invalidCursor();
    filter._id = mongoose.trusted({ $lt: new mongoose.Types.ObjectId(c.i) });
  }
  const rows = await userModel(deps.db.conn).find(filter).sort({ _id: -1 }).limit(query.limit + 1).lean<UserDoc[]>();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: await toModUsers(deps, items.map(toUserDTO)),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ o: 'users', k: 0, i: String(last._id) }) : null,
  };
}

export async function modUser(deps: Pick<ForumDeps, 'db'>, id: string): Promise<ModUser> {
  const user = await findUserById(deps, id);
  if (!user) throw new NotFound('No such member.');
  return (await toModUsers(deps, [user]))[0];
}

/** "a moderator", "an admin" (`capital`: at the start of a sentence). */
const withArticle = (role: string, capital = false) => `${capital ? (role === 'admin' ? 'An' : 'A') : role === 'admin' ? 'an' : 'a'} ${role}`;

export async function moderateUser(deps: MoveDeps & Pick<ForumDeps, 'memberCache'>, actor: UserDTO | null, id: string, input: ModerateUserInput): Promise<ModUser> {
  requireRole(actor, 'moderator');
  await refuseBanned(deps, actor);
  const target = await findUserById(deps, id);
  if (!target) throw new NotFound('No such member.');
  if (input.action === 'set-role') {
    requireRole(actor, 'admin');
    if (target.id === actor.id) throw new Forbidden('Admins cannot change their own role.');
    // Already theirs: nothing to change, log or tell.
    if (target.role === input.role) return modUser(deps, target.id);
    await setRole(deps, target.id, input.role);
    // Their sockets were set up under the old role (a demoted moderator's still hears the queue): they are set up again.
    announce(deps, 'member.role-changed', { userId: target.id, role: input.role });
    await recordAction(deps, actor, `user.set-role:${input.role}`, { kind: 'user', id: target.id }, input.reason);
    return modUser(deps, target.id);
  }
  if (!outranks(actor, target)) throw new Forbidden(target.id === actor.id ? 'You cannot ban or unban yourself.' : `${withArticle(actor.role, true)} cannot ban or unban ${withArticle(target.role)}.`);
  if (input.action === 'unban') {
    // Not banned (never, or a timed ban that has run out): nothing to lift, log or tell.
    if (!(await liftBan(deps, target.id))) return modUser(deps, target.id);
    announce(deps, 'member.unbanned', { userId: target.id });
    await recordAction(deps, actor, 'user.unban', { kind: 'user', id: target.id }, input.reason);
    return modUser(deps, target.id);
  }
  const until = input.until ? new Date(input.until) : null;
  if (until && until.getTime() <= Date.now()) throw new Invalid('VALIDATION', 'until: must be in the future');
  // The same ban again (a form sent twice, a double click): nothing to change, log or tell.
  const current = await activeBan(deps, target.id);
  if (current && !input.removeComments && current.reason === input.reason && current.until === (until?.toISOString() ?? null)) return modUser(deps, target.id);
  const ban = await saveBan(deps, target.id, { reason: input.reason, until, by: actor.id });
  // Their open sockets hear it at once, on every instance; their next post, vote or flag reads the ban anyway.
  announce(deps, 'member.banned', { userId: target.id, ban: toBanDTO(ban) });
  const removed = input.removeComments ? await removeVisibleComments(deps, actor, target.id) : 0;
  await recordAction(deps, actor, input.removeComments ? 'user.ban+remove-comments' : 'user.ban', { kind: 'user', id: target.id }, input.removeComments ? `${input.reason} (${plural(removed, 'comment', 'comments')} removed)` : input.reason);
  return modUser(deps, target.id);
}

/** Every visible comment of the member becomes a moderator's removal; each thread's readers see it go live. */
async function removeVisibleComments(deps: MoveDeps, actor: UserDTO, userId: string): Promise<number> {
  const rows = await commentModel(deps.db.conn).find({ 'author.userId': userId, status: 'visible' }).lean<CommentRecord[]>();
  let removed = 0;
  for (const c of rows) {
    try {
      await moveComment(deps, c, 'remove', { by: actor, as: 'moderator' });
      removed++;
    } catch (err) {
      // Changed meanwhile (removed by its author, say): the others still go.
      deps.logger.warn({ err: (err as Error).message, id: String(c._id) }, 'comment not removed with the ban');
    }
  }
  return removed;
}

