// The forum's event bus: services announce what happened after the database write; realtime/ listens.
// Thread events name the thread by its song id (rooms are per song id); a new comment carries the slug too,
// because readers' `comment:created` does.
import { EventEmitter } from 'node:events';
import type { CommentDTO } from '../shared/types';

export interface ThreadEvents {
  'comment.created': [{ comment: CommentDTO; songSlug: string }];
  'comment.updated': [{ comment: CommentDTO }];
  'comment.removed': [{ id: string; songId: string }];
  'comment.voted': [{ id: string; songId: string; score: number }];
}

export interface ForumEvents extends ThreadEvents {
  /** A stored session was destroyed (logout, or the id renewed at login): its sockets must not act for it any more. */
  'session.ended': [{ sessionId: string }];
}

export type ForumBus = EventEmitter<ForumEvents>;

export const createBus = (): ForumBus => new EventEmitter<ForumEvents>();
