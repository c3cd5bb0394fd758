// The forum's event bus: services announce what happened after the database write; realtime/ listens.
// Thread events name the thread by its song id (rooms are per song id); a new comment carries the slug too,
// because readers' `comment:created` does.
import { EventEmitter } from 'node:events';
import type { BanDTO, CommentDTO, NotificationDTO, QueueCounts, QueueItem, Role } from '../shared/types';

export interface ThreadEvents {
  'comment.created': [{ comment: CommentDTO; songSlug: string }];
  'comment.updated': [{ comment: CommentDTO }];
  /**
   * No longer visible (removed, rejected or held): readers drop its text; `removedBy` when it was a removal;
   * `parentId` when it is a reply (its parent's reply count may have moved).
   */
  /** `gone`: it left readers' thread with no placeholder (rejected, or held for review again), as a reload shows it. */
  'comment.removed': [{ id: string; songId: string; removedBy?: 'author' | 'moderator' | null; parentId?: string | null; gone?: boolean }];
  'comment.voted': [{ id: string; songId: string; score: number }];
  /** A member's display name changed: their comments in this thread now carry `name`. */
  'comment.author-renamed': [{ songId: string; userId: string; name: string; location: string | null }];
  /** Stored as pending (held by the pipeline or by flags): only its author and moderators may see it. */
  'comment.held': [{ comment: CommentDTO; songSlug: string }];
  /** Refused by a moderator: its author sees it marked so. */
  'comment.rejected': [{ comment: CommentDTO }];
}

/** The moderation queue and members' standing: for moderators' sockets and a member's own. */
export interface ModerationEvents {
  'queue.added': [{ item: QueueItem }];
  'queue.removed': [{ id: string }];
  'queue.counts': [{ counts: QueueCounts }];
  'member.banned': [{ userId: string; ban: BanDTO }];
  /** A moderator lifted the member's ban (a timed ban running out is not announced: the page knows when it ends). */
  'member.unbanned': [{ userId: string }];
  /** An admin changed a member's role: their sockets, set up under the old one, must be set up again. */
  'member.role-changed': [{ userId: string; role: Role }];
}

export interface ForumEvents extends ThreadEvents, ModerationEvents {
  /** A stored session was destroyed (logout, or the id renewed at login): its sockets must not act for it any more. */
  'session.ended': [{ sessionId: string }];
  /** Every session of a member but `keepSessionId` ended (password change): their sockets must close. */
  'member.sessions-ended': [{ userId: string; keepSessionId: string | null }];
  /** A notification was stored for a member (after the write); `unread` is their count with it. */
  'notification.created': [{ userId: string; notification: NotificationDTO; unread: number }];
  /** A member read notifications: their other tabs and devices update the count. */
  'notification.read': [{ userId: string; unread: number }];
}

export type ForumBus = EventEmitter<ForumEvents>;

export const createBus = (): ForumBus => new EventEmitter<ForumEvents>();
