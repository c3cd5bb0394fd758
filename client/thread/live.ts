// The socket side of the thread: join the room, relay its events, report the connection, catch up after drops.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import type { BanDTO, CommentDTO, NotificationDTO, Role } from '../../shared/types';

export type LinkStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  created(c: CommentDTO): void;
  updated(c: CommentDTO): void;
  removed(id: string, removedBy?: 'author' | 'moderator' | null, gone?: boolean): void;
  /** This member was banned: they can read, no longer post. */
  banned?(ban: BanDTO): void;
  /** A moderator lifted this member's ban. */
  unbanned?(): void;
  /** The page's session ended elsewhere (logged out, a password change): it reads on as a signed-out reader. */
  signedOut?(): void;
  /** An admin changed the member's role: the page's tools were made for the old one. */
  roleChanged?(role: Role): void;
  voted(id: string, score: number): void;
  presence(count: number): void;
  typing(name: string, guest: boolean): void;
  renamed(userId: string, name: string, location: string | null): void;
  /** The member's own notices, on their own room. */
  notification(n: NotificationDTO, unread: number): void;
  unread(count: number): void;
  status(s: LinkStatus): void;
  /**
   * Connected without socket.io's recovery: called before joining, it marks where the gap starts (the last comment
   * known); the function it answers is called once joined, to fetch what was posted while not in the room (between
   * the page's render and the first join, or during a drop). A comment arriving live between the join and its
   * answer is newer than the gap: marking the start before joining keeps it from hiding the rest.
   */
  gap(): () => void;
}

export interface Live {
  /** `name`: a guest's name from their form (members type under their own). */
  typing(name?: string): void;
  close(): void;
}

export function connectLive(slug: string, h: LiveHandlers): Live {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket', 'polling'], tryAllTransports: true });
  let wasConnected = false;
  let lastTyping = 0;

  socket.on('connect', () => {
    h.status('live');
    if (wasConnected && socket.recovered) return;
    const fillGap = h.gap();
    socket.emit('thread:join', { slug }, (reply) => {
      if (reply.ok) h.presence(reply.presence);
      // Only once in the room: anything posted from now on arrives live, anything before is in the fetch.
      fillGap();
    });
    wasConnected = true;
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    h.status('reconnecting');
    // socket.io does not retry after the server hung up (a restart, a deploy): we do, after a pause.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
  });
  socket.on('connect_error', () => h.status(wasConnected ? 'reconnecting' : 'connecting'));
  // Redis came back to this instance after an outage: what other instances said meanwhile never came. Catch up.
  socket.on('thread:resync', () => h.gap()());
  socket.on('comment:created', (c) => {
    if (!c.songSlug || c.songSlug === slug) h.created(c);
  });
  socket.on('comment:updated', (c) => h.updated(c));
  socket.on('comment:removed', (p) => h.removed(p.id, p.removedBy, p.gone));
  socket.on('account:banned', (b) => h.banned?.(b));
  socket.on('account:unbanned', () => h.unbanned?.());
  socket.on('session:ended', () => h.signedOut?.());
  socket.on('account:role-changed', (p) => h.roleChanged?.(p.role));
  socket.on('comment:voted', (p) => h.voted(p.id, p.score));
  socket.on('presence', (p) => p.slug === slug && h.presence(p.count));
  socket.on('typing', (p) => p.slug === slug && h.typing(p.name, !!p.guest));
  socket.on('author:renamed', (p) => h.renamed(p.userId, p.name, p.location ?? null));
  socket.on('notification', (p) => h.notification(p.notification, p.unread));
  socket.on('notifications:unread', (p) => h.unread(p.unread));

  return {
    typing(name) {
      // At most one "typing" every 2 s: enough to keep others' indicator alive.
      const now = Date.now();
      if (now - lastTyping < 2000 || !socket.connected) return;
      lastTyping = now;
      socket.emit('typing', name ? { slug, name } : { slug });
    },
    close: () => socket.close(),
  };
}
