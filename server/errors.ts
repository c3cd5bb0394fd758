// Domain errors: what services throw when a request cannot be done. They say what went wrong in the forum's
// words; http/errors.ts turns them into statuses and the contract's error body, for HTTP and socket acks alike.
import type { ErrorCode } from '../shared/errors';

export abstract class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The input cannot be used (400). */
export class Invalid extends DomainError {}
/** The request needs a signed-in member (401). */
export class Unauthenticated extends DomainError {
  constructor(message = 'Sign in first.', code: ErrorCode = 'UNAUTHENTICATED') {
    super(code, message);
  }
}
/** The member may not do this (403). */
export class Forbidden extends DomainError {
  constructor(message = 'You may not do that.', code: ErrorCode = 'FORBIDDEN') {
    super(code, message);
  }
}
/** No such thing (404). */
export class NotFound extends DomainError {
  constructor(message = 'Not found.') {
    super('NOT_FOUND', message);
  }
}
/** The state of things does not allow it now (409). */
export class Conflict extends DomainError {
  constructor(message: string, code: ErrorCode = 'CONFLICT') {
    super(code, message);
  }
}
/** Too many requests (429); retryAfterSeconds goes out as Retry-After. */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    code: ErrorCode = 'RATE_LIMITED',
  ) {
    super(code, message);
  }
}
/** A part the forum needs is away (503). */
export class Unavailable extends DomainError {}

/** The HTTP status of each kind of domain error: the one table both HTTP and socket acks read. */
export function statusOf(err: DomainError): number {
  if (err instanceof Invalid) return 400;
  if (err instanceof Unauthenticated) return 401;
  if (err instanceof Forbidden) return 403;
  if (err instanceof NotFound) return 404;
  if (err instanceof Conflict) return 409;
  if (err instanceof RateLimited) return 429;
  if (err instanceof Unavailable) return 503;
  return 500;
}
