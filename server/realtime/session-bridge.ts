// The HTTP session on socket.io's handshake, and the origin check for sockets. After this, `socket.request.user`
// and `socket.data.user` are the signed-in member (or undefined / null for a reader); once the connection is set up,
// what only the handshake needed is let go (releaseHandshake).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Server, Socket } from 'socket.io';
import type { UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { isServedHost } from '../http/host';
import { isForeignOrigin } from '../http/security';

type EngineRequest = IncomingMessage & { _query?: Record<string, string | undefined>; user?: UserDTO };
type EngineMiddleware = (req: EngineRequest, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Runs the session + passport middleware on the handshake only, so `socket.request.user` is the member (or undefined). */
export function bridgeSession(io: Server, session: RequestHandler[], deps: ForumDeps): void {
  // A browser on another site may not open a socket as one of our members (cross-site WebSocket hijacking).
  // Nor may a page on a name that only resolves here (DNS rebinding): the Host must be one the forum serves.
  const originGuard: EngineMiddleware = (req, _res, next) => {
    if (!isServedHost(req.headers.host, deps.config, req.socket)) return next(new Error('MISDIRECTED_REQUEST'));
    next(isForeignOrigin(req.headers.origin, deps.config, req.headers.host) ? new Error('CSRF') : undefined);
  };
  io.engine.use(originGuard);
  for (const handler of session) io.engine.use(onlyOnHandshake(handler as unknown as EngineMiddleware));
  io.use((socket, next) => {
    const user = (socket.request as EngineRequest).user;
    socket.data.user = user ?? null;
    next();
  });
}

/** What the handshake's session put on its request, read once when the connection is set up. */
const HANDSHAKE_ONLY = ['session', 'sessionStore', '_passport', '_sessionManager', '_parsedUrl', '_parsedOriginalUrl'] as const;
const NO_RAW_HEADERS: string[] = [];
const NO_HEADERS: IncomingMessage['headers'] = Object.freeze({});

/**
 * engine.io keeps a connection's handshake request for the connection's life, and socket.io its headers (in
 * socket.handshake). Once the connection is set up (its member, rooms and address known) what only the handshake
 * needed is let go: the headers (a browser's are about a kilobyte: user agent, languages, the cookie) and, for a
 * member, the session object, its store and passport's state (`user` and `sessionID` stay: the socket has them
 * anyway). Assigned, not deleted, so the request keeps its shape. The request itself cannot go: setting
 * `socket.conn.request` to null (socket.io's own advice) frees nothing, as engine.io's upgrade response holds it too,
 * from a 'close' listener on the TCP socket (measured with npm run bench:fanout-heap).
 */
export function releaseHandshake(socket: Socket): void {
  const req = socket.request;
  req.headers = NO_HEADERS;
  req.rawHeaders = NO_RAW_HEADERS;
  req.rawTrailers = NO_RAW_HEADERS;
  socket.handshake.headers = NO_HEADERS;
  const r = req as unknown as Record<string, unknown>;
  for (const key of HANDSHAKE_ONLY) if (r[key] !== undefined) r[key] = undefined;
}

// The handshake is the first request (no sid yet); later polling requests of the same connection skip the store.
const onlyOnHandshake =
  (handler: EngineMiddleware): EngineMiddleware =>
  (req, res, next) =>
    req._query?.sid === undefined ? handler(req, res, next) : next();
