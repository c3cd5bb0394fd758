// The moderation log: every moderator action (who, what, when, why), newest first.
import mongoose from 'mongoose';
import type { LogEntry, Page, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import { logModel, type LogRecord } from './model';
import { requireRole } from './roles';

export async function recordAction(
  deps: Pick<ForumDeps, 'db'>,
  moderator: Pick<UserDTO, 'id' | 'username'>,
  action: string,
  target: LogEntry['target'],
  reason?: string | null,
): Promise<void> {
  await logModel(deps.db.conn).create({ at: new Date(), moderator: { id: moderator.id, username: moderator.username }, action, target, reason: reason?.trim() || null });
}

const toEntry = (r: LogRecord): LogEntry => ({
  id: String(r._id),
  at: r.at.toISOString(),
  moderator: { id: r.moderator.id, username: r.moderator.username },
  action: r.action,
  target: { kind: r.target.kind, id: r.target.id },
  reason: r.reason ?? null,
});

export async function readLog(deps: Pick<ForumDeps, 'db'>, actor: UserDTO | null, query: { cursor?: string; limit: number }): Promise<Page<LogEntry>> {
  requireRole(actor, 'moderator');
  const filter: Record<string, unknown> = {};
  if (query.cursor) {
    const c = decodeCursor(query.cursor, 'log');
    if (!mongoose.isValidObjectId(c.i)) throw invalidCursor();
    filter._id = mongoose.trusted({ $lt: new mongoose.Types.ObjectId(c.i) });
  }
  const rows = await logModel(deps.db.conn).find(filter).sort({ _id: -1 }).limit(query.limit + 1).lean<LogRecord[]>();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items: items.map(toEntry), nextCursor: rows.length > query.limit && last ? encodeCursor({ o: 'log', k: 0, i: String(last._id) }) : null };
}
