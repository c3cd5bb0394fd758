// PLACEHOLDER (live issue replaces it): the socket.io server.
import type { Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import { Server } from 'socket.io';
import type { ForumDeps } from '../deps';
import { bridgeSession } from './session-bridge';

export interface Realtime {
  io: Server;
  /** Disconnects every socket and the adapter; leaves the http server to its owner. */
  close(): Promise<void>;
}

export async function createIo(deps: ForumDeps, httpServer: HttpServer, session: RequestHandler[]): Promise<Realtime> {
  const io = new Server(httpServer);
  bridgeSession(io, session, deps);
  return {
    io,
    close: async () => {
      io.disconnectSockets(true);
    },
  };
}
