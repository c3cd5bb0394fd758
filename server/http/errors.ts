// The one place that formats errors: services throw domain errors (server/errors.ts), HTTP-only guards throw
// HttpError; toErrorBody maps either (and schema and driver failures) to a status and the contract's shape,
// for the error middleware and the socket acks alike.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { ErrorBody, ErrorCode } from '../../shared/errors';
import { isDatabaseUnavailable } from '../db/connection';
import { DomainError, NotFound, RateLimited, statusOf } from '../errors';
import { isRedisUnavailable } from '../redis';

/** An error of the HTTP layer itself (origin check, body limits): a status of its own and optional headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Not found') => new NotFound(what);

export type { ErrorBody };

/** Maps anything thrown to {status, body}; used by HTTP and by socket acks alike. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof HttpError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    return { status: err.status, body: { error }, headers: err.headers };
  }
  if (err instanceof DomainError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    const retry = err instanceof RateLimited && err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : undefined;
    return { status: statusOf(err), body: { error }, headers: retry };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'VALIDATION',
          message: err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
          details: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      },
    };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { error: { code: 'DB_UNAVAILABLE', message: 'The database is unavailable; try again shortly.' } } };
  }
  if (isRedisUnavailable(err)) {
    return { status: 503, body: { error: { code: 'REDIS_UNAVAILABLE', message: 'Sign-in and posting are unavailable for a moment; reading still works. Try again shortly.' } } };
  }
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser's errors carry a type and a status; we answer in our own words, never theirs.
  if (e?.type === 'entity.parse.failed') return simple(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  if (e?.type === 'entity.too.large') return simple(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (e?.type === 'parameters.too.many') return simple(413, 'PAYLOAD_TOO_LARGE', 'The form has too many fields.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return simple(415, 'UNSUPPORTED_ENCODING', 'Send the request body as UTF-8.');
  // Express's router throws a URIError (status 400) for a path parameter that is not valid percent-encoding.
  if (err instanceof URIError) return simple(400, 'BAD_REQUEST', 'The address is not valid: it has a broken %-escape.');
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500) return simple(status, 'BAD_REQUEST', 'The request could not be understood.');
  return simple(500, 'INTERNAL', 'Something went wrong on our side.');
}

const simple = (status: number, code: ErrorCode, message: string) => ({ status, body: { error: { code, message } } });

export const apiNotFound: RequestHandler = (req, _res, next) => next(notFound(`No route ${req.method} ${req.path}`));

export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  const { status, body, headers } = toErrorBody(err);
  // A part being away (503) is logged once where it is noticed (db/, redis.ts), not with a stack per request.
  if (status === 503) req.log?.warn({ code: body.error.code }, 'request refused: a service is unavailable');
  else if (status >= 500) req.log?.error({ err }, 'request failed');
  if (res.headersSent) return res.end();
  if (headers) res.set(headers);
  res.status(status).json(body);
};
