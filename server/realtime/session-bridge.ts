// PLACEHOLDER (accounts issue replaces it): the HTTP session on socket.io's handshake, and the origin check for sockets.
import type { RequestHandler } from 'express';
import type { Server } from 'socket.io';
import type { ForumDeps } from '../deps';

/** Runs the session + passport middleware on the handshake only, so `socket.request.user` is the member (or undefined). */
export function bridgeSession(_io: Server, _session: RequestHandler[], _deps: ForumDeps): void {}
