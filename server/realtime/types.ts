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

/**
 * One socket event's handler. It is made once per instance and shared by every connection, which is told apart by
 * the socket and context it is called with: a reader holding a connection open costs no closure per event.
 */
export type SocketEventHandler = (socket: ForumSocket, ctx: SocketContext, payload: unknown, ack: unknown) => void;

/** A feature's socket events (comments/live.ts: posting), listened to by realtime/io.ts on every connection. */
export type SocketFeature = { [E in keyof ClientToServerEvents]?: SocketEventHandler };
