// The typed socket.io event maps of ../shared/API.md, used by server and browser.
import type { ErrorCode } from './errors';
import type { JoinInput, SocketPostPayload, TypingInput } from './schemas';
import type { BanDTO, CommentDTO, NotificationDTO, QueueCounts, QueueItem, Role, UserDTO } from './types';

export type AckError = { ok: false; error: { code: ErrorCode; message: string } };
export type Ack<T extends object = object> = (reply: ({ ok: true } & T) | AckError) => void;

export interface ClientToServerEvents {
  'thread:join': (payload: JoinInput, ack: Ack<{ presence: number }>) => void;
  'thread:leave': (payload: JoinInput, ack: Ack) => void;
  'comment:post': (payload: SocketPostPayload, ack: Ack<{ comment: CommentDTO }>) => void;
  typing: (payload: TypingInput, ack?: Ack) => void;
  /** Moderators: follow the moderation queue (queue:added, queue:removed, queue:counts). */
  'moderation:join': (payload: unknown, ack: Ack<{ counts: QueueCounts }>) => void;
}

export interface ServerToClientEvents {
  'comment:created': (comment: CommentDTO & { songSlug: string }) => void;
  'comment:updated': (comment: CommentDTO) => void;
  /** `gone`: no placeholder stays (the comment was rejected or held for review): drop it, as a reload would. */
  'comment:removed': (payload: { id: string; songId: string; removedBy?: 'author' | 'moderator' | null; gone?: boolean }) => void;
  'comment:voted': (payload: { id: string; score: number }) => void;
  presence: (payload: { slug: string; count: number }) => void;
  /** `guest`: the typist is a guest (their name is whatever they typed in the form). */
  typing: (payload: { slug: string; name: string; guest?: boolean }) => void;
  /** A member's comments changed name (their display name): every comment of `userId` in the thread reads `name`. */
  'author:renamed': (payload: { songId: string; userId: string; name: string; location: string | null }) => void;
  /** To the member's own sockets: a reply or mention for them, and their unread count after it. */
  notification: (payload: { notification: NotificationDTO; unread: number }) => void;
  /** To the member's own sockets: their unread count changed (read on another tab or device). */
  'notifications:unread': (payload: { unread: number }) => void;
  /** To the banned member's own sockets: they can read, no longer post, vote or flag. */
  'account:banned': (payload: BanDTO) => void;
  /** To the member's own sockets: a moderator lifted their ban; they may post, vote and report again. */
  'account:unbanned': () => void;
  /**
   * To the sockets of a session that just ended (logged out in another tab, or every other session ended by a password
   * change): the page is no longer signed in. The server closes those sockets right after; the page goes on as a reader.
   */
  'session:ended': () => void;
  /** To the member's own sockets, just before they are closed: an admin gave them another role (its tools change). */
  'account:role-changed': (payload: { role: Role }) => void;
  'queue:added': (item: QueueItem) => void;
  'queue:removed': (payload: { id: string }) => void;
  'queue:counts': (counts: QueueCounts) => void;
  /**
   * To every reader of this instance when its link to Redis returns after an outage: what other instances announced
   * meanwhile never reached it, so readers catch up as after a drop (`?after=`).
   */
  'thread:resync': () => void;
}

export interface InterServerEvents {}

export interface SocketData {
  /** The signed-in member, or null for a reader. */
  user: UserDTO | null;
  /** The name a guest posted under on this connection, shown when they type. */
  guestName?: string;
}
