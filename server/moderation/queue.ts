// The moderation queue: tabs Pending (held), Flagged (visible, flagged by members) and Rejected, oldest first.
// A queue document per comment that stands in a tab, kept in step with the comment after every change of status or
// flags (syncQueue), so the tabs and their counts read a small collection, never the whole comments collection.
import mongoose, { type Types } from 'mongoose';
import type { QueueQuery, QueueStatus } from '../../shared/schemas';
import type { CommentFlags, QueueCounts, QueueItem, QueuePage, SongRef, UserDTO } from '../../shared/types';
import { toCommentDTO } from '../comments/dto';
import { commentModel, flagModel, type CommentRecord, type FlagRecord } from '../comments/model';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { songModel, type SongRecord } from '../songs/model';
import { findSongBySlug } from '../songs/service';
import { announce } from './announce';
import { queueModel, type QueueRecord } from './model';
import { requireRole } from './roles';
import { tallyOf } from './tallies';

type Deps = Pick<ForumDeps, 'db' | 'bus'>;
const TABS: readonly QueueStatus[] = ['pending', 'flagged', 'rejected'];

/** The tab a comment stands in, if any. */
export function tabOf(c: Pick<CommentRecord, 'status' | 'flagCount'>): QueueStatus | null {
  if (c.status === 'pending') return 'pending';
  if (c.status === 'rejected') return 'rejected';
  if (c.status === 'visible' && (c.flagCount ?? 0) > 0) return 'flagged';
  return null;
}

export async function queueCounts(deps: Pick<ForumDeps, 'db'>): Promise<QueueCounts> {
  const Queue = queueModel(deps.db.conn);
  const [pending, flagged, rejected] = await Promise.all(TABS.map((queue) => Queue.countDocuments({ queue })));
  return { pending, flagged, rejected };
}

/** Puts the comment in the tab its state says (or takes it out), and tells moderators' sockets. */
export async function syncQueue(deps: Deps, c: CommentRecord): Promise<void> {
  const Queue = queueModel(deps.db.conn);
  const want = tabOf(c);
  const had = await Queue.findOne({ _id: c._id }).lean<QueueRecord>();
  if ((had?.queue ?? null) === want) {
    // Same tab, new details (another flag): moderators' copy is refreshed in place.
    if (want) announce(deps, 'queue.added', { item: (await queueItems(deps, [c], want))[0] });
    return;
  }
  if (want) {
    await Queue.updateOne({ _id: c._id }, { $set: { queue: want, songId: c.songId, authorId: c.author.userId ?? null, at: c.createdAt } }, { upsert: true });
  } else {
    await Queue.deleteOne({ _id: c._id });
  }
  if (had) announce(deps, 'queue.removed', { id: String(c._id) });
  if (want) announce(deps, 'queue.added', { item: (await queueItems(deps, [c], want))[0] });
  announce(deps, 'queue.counts', { counts: await queueCounts(deps) });
}

/** Members' standing flags on each comment: how many, and their reasons by count. */
export async function flagsOf(deps: Pick<ForumDeps, 'db'>, ids: Types.ObjectId[]): Promise<Map<string, CommentFlags>> {
  const out = new Map<string, CommentFlags>();
  if (!ids.length) return out;
  const rows = await flagModel(deps.db.conn)
    .find({ commentId: mongoose.trusted({ $in: ids }), dismissed: mongoose.trusted({ $ne: true }) })
    .lean<FlagRecord[]>();
  for (const id of ids) out.set(String(id), { count: 0, reasons: [] });
  for (const f of rows) {
    const flags = out.get(String(f.commentId))!;
    flags.count++;
    const same = flags.reasons.find((r) => r.reason === f.reason);
    if (same) same.count++;
    else flags.reasons.push({ reason: f.reason, count: 1 });
  }
  for (const flags of out.values()) flags.reasons.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return out;
}

export async function songRefs(deps: Pick<ForumDeps, 'db'>, ids: Types.ObjectId[]): Promise<Map<string, SongRef>> {
  const unique = [...new Set(ids.map(String))];
  const Songs = songModel(deps.db.conn);
  const songs = await Promise.all(unique.map((id) => Songs.findOne({ _id: id }, { slug: 1, title: 1, artist: 1 }).lean<SongRecord>()));
  return new Map(songs.filter((s): s is SongRecord => !!s).map((s) => [String(s._id), { slug: s.slug, title: s.title, artist: s.artist }]));
}

/** Comments as the queue shows them: with their song, flags, why they were held and their author's history. */
export async function queueItems(deps: Pick<ForumDeps, 'db'>, rows: CommentRecord[], queue: QueueStatus): Promise<QueueItem[]> {
  const [songs, flags] = await Promise.all([songRefs(deps, rows.map((c) => c.songId)), flagsOf(deps, rows.map((c) => c._id))]);
  const authors = [...new Set(rows.map((c) => c.author.userId).filter((u): u is string => !!u))];
  const histories = new Map(await Promise.all(authors.map(async (u) => [u, await tallyOf(deps, u)] as const)));
  return rows.map((c) => ({
    ...toCommentDTO(c),
    // Moderators read what was removed or rejected: that is what they judge.
    body: c.body,
    song: songs.get(String(c.songId)) ?? { slug: '', title: '(deleted song)', artist: '' },
    queue,
    heldFor: c.heldFor ?? [],
    authorHistory: (c.author.userId && histories.get(c.author.userId)) || { visible: 0, rejected: 0, removed: 0 },
    flags: flags.get(String(c._id)) ?? { count: 0, reasons: [] },
  }));
}

export async function listQueue(deps: Pick<ForumDeps, 'db' | 'songIds'>, actor: UserDTO | null, query: QueueQuery): Promise<QueuePage> {
  requireRole(actor, 'moderator');
  const filter: Record<string, unknown> = { queue: query.status };
  if (query.song) filter.songId = (await findSongBySlug(deps, query.song))._id;
  if (query.cursor) {
    const c = decodeCursor(query.cursor, `queue:${query.status}`);
    const at = new Date(c.k);
    if (Number.isNaN(at.getTime())) throw invalidCursor();
    filter.$or = [{ at: mongoose.trusted({ $gt: at }) }, { at, _id: mongoose.trusted({ $gt: new mongoose.Types.ObjectId(c.i) }) }];
  }
  const entries = await queueModel(deps.db.conn).find(filter).sort({ at: 1, _id: 1 }).limit(query.limit + 1).lean<QueueRecord[]>();
  const page = entries.slice(0, query.limit);
  const Comments = commentModel(deps.db.conn);
  const rows = (await Promise.all(page.map((e) => Comments.findOne({ _id: e._id }).lean<CommentRecord>()))).filter((c): c is CommentRecord => !!c);
  const last = page[page.length - 1];
  return {
    items: await queueItems(deps, rows, query.status),
    nextCursor: entries.length > query.limit && last ? encodeCursor({ o: `queue:${query.status}`, k: last.at.getTime(), i: String(last._id) }) : null,
    counts: await queueCounts(deps),
  };
}
