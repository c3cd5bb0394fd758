// The forum's event bus: services announce what happened after the database write; realtime/ listens.
import { EventEmitter } from 'node:events';
import type { CommentDTO } from '../shared/types';

export interface ForumEvents {
  'comment.created': [{ comment: CommentDTO; songSlug: string }];
  'comment.updated': [{ comment: CommentDTO; songSlug: string }];
  'comment.removed': [{ id: string; songId: string; songSlug: string }];
  'comment.voted': [{ id: string; score: number; songSlug: string }];
  /** A stored session was destroyed (logout, or the id renewed at login): its sockets must not act for it any more. */
  'session.ended': [{ sessionId: string }];
}

export type ForumBus = EventEmitter<ForumEvents>;

export const createBus = (): ForumBus => new EventEmitter<ForumEvents>();
