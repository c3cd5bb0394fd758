// The forum's event bus: services announce what happened after the database write; realtime/ listens.
// Thread events name the thread by its song id (rooms are per song id); a new comment carries the slug too,
// because readers' `comment:created` does.
import { EventEmitter } from 'node:events';
import type { CommentDTO, NotificationDTO } from '../shared/types';

export interface ThreadEvents {
  'comment.created': [{ comment: CommentDTO; songSlug: string }];
  'comment.updated': [{ comment: CommentDTO }];
  'comment.removed': [{ id: string; songId: string }];
  'comment.voted': [{ id: string; songId: string; score: number }];
  /** A member's display name changed: their comments in this thread now carry `name`. */
  'comment.author-renamed': [{ songId: string; userId: string; name: string }];
}

export interface ForumEvents extends ThreadEvents {
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
