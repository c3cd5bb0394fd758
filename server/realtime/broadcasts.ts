// Turns the forum bus into room broadcasts. The bus fires only on the instance whose service wrote to the
// database, and one io.to(room).emit reaches that room on every instance through the adapter: so each reader
// gets each event exactly once, wherever the write came from (HTTP, socket, another instance).
import type { ForumBus, ForumEvents } from '../bus';
import type { CommentDTO } from '../../shared/types';
import { MODERATION_ROOM, sessionRoom, threadRoom, userRoom } from './rooms';
import type { ForumIo } from './types';

type Listeners = { [E in keyof ForumEvents]: (...args: ForumEvents[E]) => void };

/** What readers may see of a comment: visible ones and removed placeholders. Nothing else ever reaches a thread's room. */
const readable = (c: CommentDTO) => c.status === 'visible' || c.status === 'removed';

/** The sockets of sessions that ended: told so, then closed. */
function endSessions(sockets: ReturnType<ForumIo['in']>): void {
  sockets.emit('session:ended');
  sockets.disconnectSockets(true);
}

/** Starts relaying; returns the function that stops it. */
export function relayBusToRooms(io: ForumIo, bus: ForumBus, onError: (err: unknown, event: string) => void): () => void {
  const to = (songId: string) => io.to(threadRoom(songId));
  // A comment only its author may see (held, rejected) goes to the author's own sockets, never to the room.
  const toAuthor = (c: CommentDTO) => (c.author.userId ? io.to(userRoom(c.author.userId)) : null);
  const listeners: Listeners = {
    'comment.created': ({ comment, songSlug }) => {
      if (readable(comment)) to(comment.songId).emit('comment:created', { ...comment, songSlug });
      else toAuthor(comment)?.emit('comment:created', { ...comment, songSlug });
    },
    'comment.updated': ({ comment }) => {
      if (readable(comment)) to(comment.songId).emit('comment:updated', comment);
      else toAuthor(comment)?.emit('comment:updated', comment);
    },
    'comment.held': ({ comment, songSlug }) => toAuthor(comment)?.emit('comment:created', { ...comment, songSlug }),
    'comment.rejected': ({ comment }) => toAuthor(comment)?.emit('comment:updated', comment),
    'queue.added': ({ item }) => io.to(MODERATION_ROOM).emit('queue:added', item),
    'queue.removed': ({ id }) => io.to(MODERATION_ROOM).emit('queue:removed', { id }),
    'queue.counts': ({ counts }) => io.to(MODERATION_ROOM).emit('queue:counts', counts),
    'member.banned': ({ userId, ban }) => io.to(userRoom(userId)).emit('account:banned', ban),
    'member.unbanned': ({ userId }) => io.to(userRoom(userId)).emit('account:unbanned'),
    'comment.removed': ({ id, songId, removedBy, gone }) => to(songId).emit('comment:removed', { id, songId, ...(removedBy ? { removedBy } : {}), ...(gone ? { gone } : {}) }),
    'comment.voted': ({ id, songId, score }) => to(songId).emit('comment:voted', { id, score }),
    'comment.author-renamed': (p) => to(p.songId).emit('author:renamed', p),
    // Sockets set up for a session or a role that no longer holds are disconnected, their connections closed: the
    // thread's script connects again after a server's disconnect (client/thread/live.ts), as whoever it is now, and a
    // disconnect by the server is not recovered (its rooms are not given back). A session's sockets hear first that it
    // ended, so the page turns signed out at once (the emit reaches each socket before the disconnect, on every instance).
    'session.ended': ({ sessionId }) => endSessions(io.in(sessionRoom(sessionId))),
    // A demoted moderator's socket no longer hears the queue (one that was away at the change and recovers leaves
    // the moderators' room: realtime/io.ts).
    'member.role-changed': ({ userId, role }) => {
      const member = io.in(userRoom(userId));
      member.emit('account:role-changed', { role });
      member.disconnectSockets(true);
    },
    'member.sessions-ended': ({ userId, keepSessionId }) => {
      const member = io.in(userRoom(userId));
      endSessions(keepSessionId ? member.except(sessionRoom(keepSessionId)) : member);
    },
    // A member's own room reaches their sockets on every instance (the adapter carries it).
    'notification.created': ({ userId, notification, unread }) => io.to(userRoom(userId)).emit('notification', { notification, unread }),
    'notification.read': ({ userId, unread }) => io.to(userRoom(userId)).emit('notifications:unread', { unread }),
  };
  const events = Object.keys(listeners) as (keyof ForumEvents)[];
  // The write has happened when the bus fires: a failing broadcast (the adapter's Redis away) is logged, never
  // thrown back into the service that answered the writer.
  const guarded = Object.fromEntries(
    events.map((e) => [
      e,
      (...args: unknown[]) => {
        try {
          (listeners[e] as (...a: unknown[]) => void)(...args);
        } catch (err) {
          onError(err, e);
        }
      },
    ]),
  ) as Record<keyof ForumEvents, (...a: unknown[]) => void>;
  for (const e of events) bus.on(e, guarded[e] as never);
  return () => {
    for (const e of events) bus.off(e, guarded[e] as never);
  };
}
