// PLACEHOLDER (accounts issue replaces it): express-session + passport for HTTP and the socket.io handshake.
import type { RequestHandler } from 'express';
import type { ForumDeps } from '../deps';

export interface SessionStack {
  handlers: RequestHandler[];
  close(): Promise<void>;
}

export function createSessionStack(_deps: ForumDeps): SessionStack {
  return { handlers: [], close: async () => {} };
}
