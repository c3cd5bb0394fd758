// Room names: one room per song thread, the same name on every instance.
const PREFIX = 'thread:';

export const threadRoom = (slug: string) => `${PREFIX}${slug}`;

/** The thread slug of a room name, or null for other rooms (a socket's own id room). */
export const slugOfRoom = (room: string): string | null => (room.startsWith(PREFIX) ? room.slice(PREFIX.length) : null);

export function threadsOf(rooms: Iterable<string>): string[] {
  const slugs: string[] = [];
  for (const room of rooms) {
    const slug = slugOfRoom(room);
    if (slug !== null) slugs.push(slug);
  }
  return slugs;
}

/** The room of the sockets opened under one signed-in session. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
