// Socket handlers with the same error mapping as HTTP: validate, run, answer the ack; never crash the process.
import type { z } from 'zod';
import type { AckError } from '../../shared/events';
import { toErrorBody } from '../http/errors';
import type { ForumSocket, SocketContext, SocketEventHandler } from './types';

type Reply = (reply: object) => void;
const noReply: Reply = () => {};

export function ackError(err: unknown): AckError {
  const { error } = toErrorBody(err).body;
  // Sockets carry only code and message (the contract); details stay on HTTP.
  return { ok: false, error: { code: error.code, message: error.message } };
}

/**
 * A socket event's handler: the payload is parsed with the shared zod schema (a bad one answers VALIDATION), whatever
 * `run` throws becomes `{ok:false, error}`, and a missing or broken ack callback is tolerated. Made once, shared by
 * every connection (SocketEventHandler).
 */
export function socketEvent<S extends z.ZodType, R extends object>(
  schema: S,
  run: (input: z.infer<S>, socket: ForumSocket, ctx: SocketContext) => Promise<R>,
): SocketEventHandler {
  return (socket, ctx, payload, ack) => {
    const reply = typeof ack === 'function' ? (ack as Reply) : noReply;
    void (async () => {
      try {
        const result = await run(schema.parse(payload), socket, ctx);
        reply({ ok: true, ...result });
      } catch (err) {
        const answer = ackError(err);
        // The context makes its logger only now: most connections never log anything.
        if (answer.error.code === 'INTERNAL') ctx.log.error({ err }, 'socket handler failed');
        reply(answer);
      }
    })().catch((err) => ctx.log.error({ err }, 'socket ack failed'));
  };
}
