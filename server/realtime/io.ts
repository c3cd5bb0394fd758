// PLACEHOLDER (live issue replaces it): the socket.io server.
import type { Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import { Server } from 'socket.io';
import type { ForumDeps } from '../deps';

export interface Realtime {
  io: Server;
  /** Disconnects every socket and the adapter; leaves the http server to its owner. */
  close(): Promise<void>;
}

export async function createIo(_deps: ForumDeps, httpServer: HttpServer, _session: RequestHandler[]): Promise<Realtime> {
  const io = new Server(httpServer);
  return {
    io,
    close: async () => {
      io.disconnectSockets(true);
    },
  };
}
