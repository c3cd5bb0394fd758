// The typed socket.io server of the forum (shared/events.ts end to end).
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../shared/events';

export type ForumIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ForumSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
