// Socket handlers with the same error mapping as HTTP: validate, run, answer the ack; never crash the process.
import type { z } from 'zod';
import type { AckError } from '../../shared/events';
import { toErrorBody } from '../http/errors';
import type { Logger } from 'pino';

type Reply = (reply: object) => void;

export function ackError(err: unknown): AckError {
  const { error } = toErrorBody(err).body;
  // Sockets carry only code and message (the contract); details stay on HTTP.
  return { ok: false, error: { code: error.code, message: error.message } };
}

/**
 * Wraps a socket event handler: the payload is parsed with the shared zod schema (a bad one answers VALIDATION),
 * whatever the handler throws becomes `{ok:false, error}`, and a missing or broken ack callback is tolerated.
 */
export function handler<S extends z.ZodType, R extends object>(
  /** Read only when something is logged (the socket context makes its logger on first use). */
  where: { readonly log: Logger },
  schema: S,
  run: (input: z.infer<S>) => Promise<R>,
): (payload: unknown, ack?: unknown) => void {
  return (payload, ack) => {
    const reply: Reply = typeof ack === 'function' ? (ack as Reply) : () => {};
    void (async () => {
      try {
        const result = await run(schema.parse(payload));
        reply({ ok: true, ...result });
      } catch (err) {
        const answer = ackError(err);
        if (answer.error.code === 'INTERNAL') where.log.error({ err }, 'socket handler failed');
        reply(answer);
      }
    })().catch((err) => where.log.error({ err }, 'socket ack failed'));
  };
}
