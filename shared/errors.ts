// The error codes of the contract (../shared/API.md): one union, used by the server's mapper, the socket acks
// and the browser.
export const ERROR_CODES = [
  'VALIDATION',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'UNSUPPORTED_ENCODING',
  'BAD_REQUEST',
  'INVALID_CURSOR',
  'INVALID_AFTER',
  'INVALID_PARENT',
  'BANNED_WORDS',
  'NAME_TAKEN',
  'NOT_ACCEPTED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'BANNED',
  'CSRF',
  'NOT_FOUND',
  'NOT_IN_THREAD',
  'CONFLICT',
  'INVALID_TRANSITION',
  'USERNAME_TAKEN',
  'RATE_LIMITED',
  'TOO_MANY_THREADS',
  'DB_UNAVAILABLE',
  'REDIS_UNAVAILABLE',
  'MISDIRECTED_REQUEST',
  'TOO_MANY_CONNECTIONS',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every 4xx/5xx answer: `{"error": {"code", "message", "details"?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
