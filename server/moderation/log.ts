// The moderation log: every moderator action (who, what, when, why), newest first.
import mongoose from 'mongoose';
import type { LogEntry, Page, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import { userModel } from '../accounts/model';
import { commentModel, type CommentRecord } from '../comments/model';
import { byIdsServed } from '../db/by-ids';
import { logModel, type LogRecord } from './model';
import { songRefs } from './queue';
import { requireRole } from './roles';

export async function recordAction(
  deps: Pick<ForumDeps, 'db'>,
  moderator: Pick<UserDTO, 'id' | 'username'>,
  action: string,
  target: Pick<LogEntry['target'], 'kind' | 'id'>,
  reason?: string | null,
): Promise<void> {
  await logModel(deps.db.conn).create({ at: new Date(), moderator: { id: moderator.id, username: moderator.username }, action, target, reason: reason?.trim() || null });
}

type Described = Pick<LogEntry['target'], 'label' | 'url'>;

const toEntry = (r: LogRecord, about: Described): LogEntry => ({
  id: String(r._id),
  at: r.at.toISOString(),
  moderator: { id: r.moderator.id, username: r.moderator.username },
  action: r.action,
  target: { kind: r.target.kind, id: r.target.id, ...about },
  reason: r.reason ?? null,
});

/** Where a comment acted on can be seen now: its place in the thread, or the queue's tab that holds it. */
function commentUrl(c: CommentRecord, slug: string | undefined): string | null {
  if (c.status === 'pending' || c.status === 'rejected') return `/moderation?status=${c.status}`;
  return slug ? `/songs/${encodeURIComponent(slug)}/c/${String(c._id)}#c-${String(c._id)}` : null;
}

/**
 * What each entry's target is, in words, and a page for it, so the log reads "Ana's comment on Heroes": the page's
 * comments and members fetched by id (byIdsServed: one `$in` where the database serves it from the index), then
 * their songs.
 */
async function describeTargets(deps: Pick<ForumDeps, 'db'>, rows: LogRecord[]): Promise<Described[]> {
  const ids = (kind: string) => rows.filter((r) => r.target.kind === kind && mongoose.isValidObjectId(r.target.id)).map((r) => new mongoose.Types.ObjectId(r.target.id));
  const served = () => deps.db.idSetsFromIndex();
  const [commentsById, usersById] = await Promise.all([
    byIdsServed(served, commentModel(deps.db.conn), ids('comment'), { songId: 1, author: 1, status: 1 }),
    byIdsServed(served, userModel(deps.db.conn), ids('user'), { username: 1, displayName: 1 }),
  ]);
  const songs = await songRefs(deps, [...commentsById.values()].map((c) => c.songId));
  return rows.map(({ target }) => {
    if (target.kind === 'settings') return { label: 'the settings', url: '/admin/settings' };
    if (target.kind === 'user') {
      const u = usersById.get(target.id);
      return u ? { label: `${u.displayName} (@${u.username})`, url: `/users/${encodeURIComponent(u.username)}` } : { label: 'a member no longer here', url: null };
    }
    const c = commentsById.get(target.id);
    if (!c) return { label: 'a comment no longer here', url: null };
    const song = songs.get(String(c.songId));
    return { label: `${c.author.name}'s comment on ${song?.title ?? 'a song no longer here'}`, url: commentUrl(c, song?.slug) };
  });
}

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
  const about = await describeTargets(deps, items);
  return { items: items.map((r, i) => toEntry(r, about[i])), nextCursor: rows.length > query.limit && last ? encodeCursor({ o: 'log', k: 0, i: String(last._id) }) : null };
}
