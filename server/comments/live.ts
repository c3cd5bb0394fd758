// The thin socket adapter for posting: the same service and rules as HTTP (one poster, one budget, one author rule).
import { socketPostInput } from '../../shared/schemas';
import type { CommentDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { socketEvent } from '../realtime/acks';
import type { SocketFeature } from '../realtime/types';
import { postComment } from './post';

export function commentSocketHandlers(deps: ForumDeps): SocketFeature {
  return {
    'comment:post': socketEvent(socketPostInput, async ({ slug, author, ...input }, socket, ctx) => {
      const user = socket.data.user ?? null;
      let posted!: Promise<{ comment: CommentDTO }>;
      // The connection's next post waits for this one to be stored and announced (its comments land, and are heard,
      // in the order they were sent), not for the moderation bookkeeping after that.
      await ctx.inTurn(
        () =>
          new Promise<void>((turnOver) => {
            // A member who sends `author` is refused by the service, as over HTTP.
            posted = postComment(deps, { user, ip: ctx.address, guest: author }, slug, input, turnOver);
            posted.then(
              () => turnOver(),
              () => turnOver(),
            );
          }),
      );
      const { comment } = await posted;
      // A guest who posted has a name to show when typing.
      if (!user && author) socket.data.guestName = author.name;
      return { comment };
    }),
  };
}
