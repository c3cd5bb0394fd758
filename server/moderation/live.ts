// Moderators' sockets follow the queue: `moderation:join` puts them in the moderation room (queue:added,
// queue:removed, queue:counts from realtime/broadcasts.ts) and answers the current counts.
import { z } from 'zod';
import type { ForumDeps } from '../deps';
import { socketEvent } from '../realtime/acks';
import { MODERATION_ROOM } from '../realtime/rooms';
import type { SocketFeature } from '../realtime/types';
import { queueCounts } from './queue';
import { requireRole } from './roles';

export function moderationSocketHandlers(deps: ForumDeps): SocketFeature {
  return {
    'moderation:join': socketEvent(z.unknown(), async (_input, socket) => {
      requireRole(socket.data.user, 'moderator');
      await socket.join(MODERATION_ROOM);
      return { counts: await queueCounts(deps) };
    }),
  };
}
