// The thin socket adapter for posting: the same service and rules as HTTP (one poster, one budget, one author rule).
import { socketPostInput } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { socketEvent } from '../realtime/acks';
import type { SocketFeature } from '../realtime/types';
import { postComment } from './post';

export function commentSocketHandlers(deps: ForumDeps): SocketFeature {
  return {
    'comment:post': socketEvent(socketPostInput, ({ slug, author, ...input }, socket, ctx) =>
      ctx.inTurn(async () => {
        const user = socket.data.user ?? null;
        // A member who sends `author` is refused by the service, as over HTTP.
        const { comment } = await postComment(deps, { user, ip: ctx.address, guest: author }, slug, input);
        // A guest who posted has a name to show when typing.
        if (!user && author) socket.data.guestName = author.name;
        return { comment };
      }),
    ),
  };
}
