// Room names: one room per song thread, named by the song's id (the same on every instance; services know the
// id of what they changed without reading the song again).
const PREFIX = 'thread:';

export const threadRoom = (songId: string) => `${PREFIX}${songId}`;

/** The song id of a thread room's name, or null for other rooms (a socket's own id room, session rooms). */
export const songIdOfRoom = (room: string): string | null => (room.startsWith(PREFIX) ? room.slice(PREFIX.length) : null);

/** The song ids of the thread rooms among `rooms`. */
export function threadsOf(rooms: Iterable<string>): string[] {
  const ids: string[] = [];
  for (const room of rooms) {
    const id = songIdOfRoom(room);
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** The room of the sockets opened under one signed-in session. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** The room of every socket of one member, on every instance (their own notices: held comments, notifications, bans). */
export const userRoom = (userId: string) => `user:${userId}`;

/** Moderators' sockets that follow the moderation queue. */
export const MODERATION_ROOM = 'moderation';
