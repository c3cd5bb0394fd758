// Notifications for replies and @mentions: made when a comment becomes visible to readers, listed and marked read.
// Never for a held or rejected comment (only `visible` ones are announced to readers), never for one's own comment.
import mongoose from 'mongoose';
import type { CommentDTO, NotificationDTO, NotificationKind, NotificationPage, SongRef } from '../../shared/types';
import { userModel, type UserDoc } from '../accounts/model';
import { usernameKey } from '../accounts/service';
import { toCommentDTO } from '../comments/dto';
import { commentModel, type CommentRecord } from '../comments/model';
import { isDuplicateKey } from '../db/connection';
import { byIds } from '../db/by-ids';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { songModel, type SongRecord } from '../songs/model';
import { mentionedUsernames } from './mentions';
import { notificationModel, type NotificationRecord } from './model';

type Deps = Pick<ForumDeps, 'db' | 'bus' | 'memberCache'>;
export const NOTIFICATIONS_PAGE = 20;
const ORDER = 'notifications';

/** Who a visible comment notifies, and why: the parent's author (reply) and the members it mentions. */
export async function recipientsOf(deps: Pick<ForumDeps, 'db'>, comment: CommentDTO): Promise<Map<string, NotificationKind>> {
  const to = new Map<string, NotificationKind>();
  if (comment.parentId) {
    const parent = await commentModel(deps.db.conn).findOne({ _id: comment.parentId }, { author: 1 }).lean<Pick<CommentRecord, 'author'>>();
    if (parent?.author.userId) to.set(parent.author.userId, 'reply');
  }
  const names = mentionedUsernames(comment.body);
  if (names.length) {
    const keys = names.map(usernameKey);
    const users = await userModel(deps.db.conn).find({ usernameKey: mongoose.trusted({ $in: keys }) }, { _id: 1 }).lean<Pick<UserDoc, '_id'>[]>();
    for (const u of users) if (!to.has(String(u._id))) to.set(String(u._id), 'mention');
  }
  if (comment.author.userId) to.delete(comment.author.userId);
  return to;
}

/** Stores the comment's notifications (once per member, however often it is announced) and announces each. */
export async function notifyAbout(deps: Deps, comment: CommentDTO): Promise<void> {
  if (comment.status !== 'visible') return;
  const recipients = await recipientsOf(deps, comment);
  if (!recipients.size) return;
  const song = await songRefOf(deps, comment.songId);
  const Notes = notificationModel(deps.db.conn);
  for (const [userId, kind] of recipients) {
    let note: NotificationRecord;
    const key = `${comment.id}:${userId}`;
    try {
      const created = await Notes.create({ key, userId, kind, commentId: comment.id, songId: comment.songId, read: false, createdAt: new Date() });
      note = created.toObject() as NotificationRecord;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Made before: once per member. Unless its comment was away (held after an edit, say) and is back: the bell
      // that lost it counts it again.
      const back = await Notes.findOneAndUpdate({ key, settled: true }, { $set: { read: false }, $unset: { settled: 1 } }, { new: true }).lean<NotificationRecord>();
      if (!back) continue;
      note = back;
    }
    await deps.memberCache.unread.changed(userId);
    const unread = await unreadCount(deps, userId);
    deps.bus.emit('notification.created', { userId, notification: toDTO(note, comment, song), unread });
  }
}

export const unreadCount = (deps: Pick<ForumDeps, 'db'>, userId: string) => notificationModel(deps.db.conn).countDocuments({ userId, read: false });

/** The member's unread count as every page's header shows it: kept per member version (stored or read moves it). */
export const unreadOf = (deps: Pick<ForumDeps, 'db' | 'memberCache'>, userId: string) => deps.memberCache.unread.get(userId, () => unreadCount(deps, userId));

/** The member's notifications, newest first, with each comment (as it reads now) and its song. */
export async function listNotifications(deps: Pick<ForumDeps, 'db'>, userId: string, cursor?: string, limit = NOTIFICATIONS_PAGE): Promise<NotificationPage> {
  const filter: Record<string, unknown> = { userId };
  if (cursor) filter._id = mongoose.trusted({ $lt: new mongoose.Types.ObjectId(decodeCursor(cursor, ORDER).i) });
  const rows = await notificationModel(deps.db.conn).find(filter).sort({ _id: -1 }).limit(limit + 1).lean<NotificationRecord[]>();
  const page = rows.slice(0, limit);
  const [comments, songs, unread] = await Promise.all([
    byIds<CommentRecord>(commentModel(deps.db.conn), page.map((n) => n.commentId)),
    byIds<SongRecord>(songModel(deps.db.conn), page.map((n) => n.songId), { slug: 1, title: 1, artist: 1 }),
    unreadCount(deps, userId),
  ]);
  const items: NotificationDTO[] = [];
  for (const n of page) {
    const c = comments.get(String(n.commentId));
    const s = songs.get(String(n.songId));
    // A comment since held or rejected by a moderator is no longer the member's to read.
    if (c && s && (c.status === 'visible' || c.status === 'removed')) items.push(toDTO(n, toCommentDTO(c), { slug: s.slug, title: s.title, artist: s.artist }));
  }
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ o: ORDER, k: 0, i: String(last._id) }) : null, unread };
}

/** Marks the given notifications of the member read (all of them when no ids); answers the unread count after. */
export async function markRead(deps: Deps, userId: string, ids?: string[]): Promise<number> {
  const filter: Record<string, unknown> = { userId, read: false };
  if (ids) filter._id = mongoose.trusted({ $in: ids.map((id) => new mongoose.Types.ObjectId(id)) });
  const res = await notificationModel(deps.db.conn).updateMany(filter, { $set: { read: true } });
  if (res.modifiedCount) await deps.memberCache.unread.changed(userId);
  const unread = await unreadCount(deps, userId);
  if (res.modifiedCount) deps.bus.emit('notification.read', { userId, unread });
  return unread;
}

/**
 * A member opens one of their notifications: it is read now. Answers the comment's id and its song's id to go to,
 * or null for no such notification of theirs.
 */
export async function openNotification(deps: Deps, userId: string, id: string): Promise<Pick<NotificationRecord, 'commentId' | 'songId'> | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const note = await notificationModel(deps.db.conn).findOne({ _id: id }).lean<NotificationRecord>();
  if (!note || note.userId !== userId) return null;
  if (!note.read) await markRead(deps, userId, [id]);
  return { commentId: note.commentId, songId: note.songId };
}

/**
 * A comment readers may no longer read (removed, held or rejected): its unread notifications are settled as read, so
 * no bell counts what the list cannot show (it shows a removed comment as removed, and a held one not at all). Each
 * member's count moves live.
 */
export async function settleNotificationsOf(deps: Deps, commentId: string): Promise<void> {
  const Notes = notificationModel(deps.db.conn);
  const filter = { commentId: new mongoose.Types.ObjectId(commentId), read: false };
  const unread = await Notes.find(filter, { userId: 1 }).lean<Pick<NotificationRecord, 'userId'>[]>();
  if (!unread.length) return;
  await Notes.updateMany(filter, { $set: { read: true, settled: true } });
  for (const userId of new Set(unread.map((n) => n.userId))) {
    await deps.memberCache.unread.changed(userId);
    deps.bus.emit('notification.read', { userId, unread: await unreadCount(deps, userId) });
  }
}

function toDTO(n: NotificationRecord, comment: CommentDTO, song: SongRef): NotificationDTO {
  const { clientId: _clientId, guestToken: _token, ...shown } = comment;
  return { id: String(n._id), kind: n.kind, comment: shown, song, read: n.read, createdAt: n.createdAt.toISOString() };
}

async function songRefOf(deps: Pick<ForumDeps, 'db'>, songId: string): Promise<SongRef> {
  const s = await songModel(deps.db.conn).findOne({ _id: songId }, { slug: 1, title: 1, artist: 1 }).lean<SongRecord>();
  return { slug: s?.slug ?? '', title: s?.title ?? '', artist: s?.artist ?? '' };
}
