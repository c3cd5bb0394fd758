// Bans: a banned member reads but cannot post, vote, flag or rename themselves (403 BANNED), over HTTP and sockets
// alike, on every instance at once: each such write reads the member's ban before it is made, kept per member version
// (a ban and its lifting move it: accounts/member-cache.ts), so on any instance the next write after a ban is refused.
import type { BanDTO, UserDTO } from '../../shared/types';
import { banEnd } from '../../shared/words';
import type { ForumDeps } from '../deps';
import { Forbidden } from '../errors';
import { banModel, type BanRecord } from './model';

const active = <B extends { until?: Date | null }>(b: B | null, now: Date): b is B => !!b && (!b.until || b.until.getTime() > now.getTime());

export const toBanDTO = (b: Pick<BanRecord, 'reason' | 'until'>): BanDTO => ({ reason: b.reason, until: b.until ? b.until.toISOString() : null });

export async function activeBan(deps: Pick<ForumDeps, 'db' | 'memberCache'>, userId: string, now = new Date()): Promise<BanDTO | null> {
  const b = await deps.memberCache.bans.get(userId, async () => {
    const found = await banModel(deps.db.conn).findOne({ _id: userId }).lean<BanRecord>();
    return found && { reason: found.reason, until: found.until ?? null };
  });
  return active(b, now) ? toBanDTO(b) : null;
}

/** Throws 403 BANNED for a banned member; readers and guests pass (their own rules apply). */
export async function refuseBanned(deps: Pick<ForumDeps, 'db' | 'memberCache'>, user: UserDTO | null): Promise<void> {
  if (!user) return;
  const ban = await activeBan(deps, user.id);
  if (ban) throw new Forbidden(`Your account is banned${ban.until ? ` until ${banEnd(ban.until)}` : ''}: you can read, but no longer post, vote, report or change your name.`, 'BANNED');
}

export async function saveBan(deps: Pick<ForumDeps, 'db' | 'memberCache'>, userId: string, ban: { reason: string; until: Date | null; by: string }): Promise<BanRecord> {
  const record = { reason: ban.reason, until: ban.until, by: ban.by, at: new Date() };
  await banModel(deps.db.conn).updateOne({ _id: userId }, { $set: record }, { upsert: true });
  await deps.memberCache.bans.changed(userId);
  return { _id: userId, ...record };
}

/** Lifts the member's ban; answers false when there was none in force (nothing to lift, log or tell). */
export async function liftBan(deps: Pick<ForumDeps, 'db' | 'memberCache'>, userId: string): Promise<boolean> {
  const inForce = !!(await activeBan(deps, userId));
  await banModel(deps.db.conn).deleteOne({ _id: userId });
  await deps.memberCache.bans.changed(userId);
  return inForce;
}

/** Bans by member id, for a list of members (one indexed lookup each). */
export async function bansOf(deps: Pick<ForumDeps, 'db'>, ids: string[], now = new Date()): Promise<Map<string, BanDTO>> {
  const Bans = banModel(deps.db.conn);
  const rows = await Promise.all(ids.map((id) => Bans.findOne({ _id: id }).lean<BanRecord>()));
  return new Map(rows.filter((b): b is BanRecord => active(b, now)).map((b) => [b._id, toBanDTO(b)]));
}
