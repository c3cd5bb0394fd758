// The typed socket.io event maps of ../shared/API.md, used by server and browser.
import type { CommentDTO } from './types';

export type AckError = { ok: false; error: { code: string; message: string } };
export type Ack<T extends object = object> = (reply: ({ ok: true } & T) | AckError) => void;

export interface ClientToServerEvents {
  'thread:join': (payload: { slug: string }, ack: Ack<{ presence: number }>) => void;
  'thread:leave': (payload: { slug: string }, ack: Ack) => void;
  'comment:post': (
    payload: { slug: string; body: string; parentId?: string | null; clientId: string; author?: { name: string; location?: string } },
    ack: Ack<{ comment: CommentDTO }>,
  ) => void;
  typing: (payload: { slug: string }, ack?: Ack) => void;
}

export interface ServerToClientEvents {
  'comment:created': (comment: CommentDTO & { songSlug: string }) => void;
  'comment:updated': (comment: CommentDTO) => void;
  'comment:removed': (payload: { id: string; songId: string }) => void;
  'comment:voted': (payload: { id: string; score: number }) => void;
  presence: (payload: { slug: string; count: number }) => void;
  typing: (payload: { slug: string; name: string }) => void;
}

export interface InterServerEvents {}

export interface SocketData {
  /** The signed-in member, or null for a reader. */
  user: import('./types').UserDTO | null;
  /** The name a guest posted under on this connection, shown when they type. */
  guestName?: string;
}
