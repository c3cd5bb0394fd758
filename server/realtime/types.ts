// The typed socket.io server of the forum (shared/events.ts end to end), and what a feature's socket handlers get.
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../shared/events';

export type ForumIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ForumSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** What realtime/ hands each feature's handlers for one connection. */
export interface SocketContext {
  log: Logger;
  /** The connection's address, as Express would see it (trust proxy): one rate-limit key for HTTP and sockets. */
  address: string;
  /**
   * Runs one of this connection's writes after its earlier ones: they reach the thread in the order they were sent,
   * and one socket cannot pile up concurrent writes (too many waiting: RateLimited).
   */
  inTurn<T>(run: () => Promise<T>): Promise<T>;
}

/** A feature's socket handlers (comments/live.ts posts): registered on every connection by realtime/io.ts. */
export type SocketFeature = (socket: ForumSocket, ctx: SocketContext) => void;
