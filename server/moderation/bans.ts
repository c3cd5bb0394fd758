// Bans: a banned member reads but cannot post, vote or flag (403 BANNED), over HTTP and sockets alike, on every
// instance at once: each such write reads the ban by the member's id (one indexed lookup) before it is made.
import type { BanDTO, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { Forbidden } from '../errors';
import { banModel, type BanRecord } from './model';

const active = (b: BanRecord | null, now: Date): b is BanRecord => !!b && (!b.until || b.until.getTime() > now.getTime());

export const toBanDTO = (b: BanRecord): BanDTO => ({ reason: b.reason, until: b.until ? b.until.toISOString() : null });

export async function activeBan(deps: Pick<ForumDeps, 'db'>, userId: string, now = new Date()): Promise<BanDTO | null> {
  const b = await banModel(deps.db.conn).findOne({ _id: userId }).lean<BanRecord>();
  return active(b, now) ? toBanDTO(b) : null;
}

/** Throws 403 BANNED for a banned member; readers and guests pass (their own rules apply). */
export async function refuseBanned(deps: Pick<ForumDeps, 'db'>, user: UserDTO | null): Promise<void> {
  if (!user) return;
  const ban = await activeBan(deps, user.id);
  if (ban) throw new Forbidden(`Your account is banned${ban.until ? ` until ${ban.until.slice(0, 10)}` : ''}: you can read, but not post, vote or flag.`, 'BANNED');
}

export async function saveBan(deps: Pick<ForumDeps, 'db'>, userId: string, ban: { reason: string; until: Date | null; by: string }): Promise<BanRecord> {
  const record = { reason: ban.reason, until: ban.until, by: ban.by, at: new Date() };
  await banModel(deps.db.conn).updateOne({ _id: userId }, { $set: record }, { upsert: true });
  return { _id: userId, ...record };
}

export async function liftBan(deps: Pick<ForumDeps, 'db'>, userId: string): Promise<void> {
  await banModel(deps.db.conn).deleteOne({ _id: userId });
}

/** Bans by member id, for a list of members (one indexed lookup each). */
export async function bansOf(deps: Pick<ForumDeps, 'db'>, ids: string[], now = new Date()): Promise<Map<string, BanDTO>> {
  const Bans = banModel(deps.db.conn);
  const rows = await Promise.all(ids.map((id) => Bans.findOne({ _id: id }).lean<BanRecord>()));
  return new Map(rows.filter((b): b is BanRecord => active(b, now)).map((b) => [b._id, toBanDTO(b)]));
}
