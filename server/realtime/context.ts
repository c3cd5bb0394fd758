// Each connection's SocketContext, made when the connection is set up (with its address: the handshake's headers are
// let go afterwards) and kept beside the socket only while the socket lives. Its logger and write queue are made on
// first use: most readers never log and never post.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { RateLimited } from '../errors';
import type { ForumSocket, SocketContext } from './types';

/** Posts of one connection waiting for their turn to be written. */
const MAX_QUEUED_WRITES = 20;

/** The per-connection write queue of SocketContext.inTurn. */
function writeQueue(): SocketContext['inTurn'] {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  return <T>(run: () => Promise<T>): Promise<T> => {
    // A socket that floods writes faster than they are stored is refused instead of queued without end.
    if (waiting >= MAX_QUEUED_WRITES) return Promise.reject(new RateLimited('Too many posts in flight; wait for the answers.'));
    waiting++;
    const turn = tail.then(run).finally(() => waiting--);
    tail = turn.catch(() => {});
    return turn;
  };
}

class Connection implements SocketContext {
  #log?: Logger;
  #queue?: SocketContext['inTurn'];

  constructor(
    private readonly socketId: string,
    private readonly logger: Logger,
    readonly address: string,
  ) {}

  get log(): Logger {
    return (this.#log ??= this.logger.child({ socket: this.socketId }));
  }

  inTurn<T>(run: () => Promise<T>): Promise<T> {
    return (this.#queue ??= writeQueue())(run);
  }
}

export interface ConnectionContexts {
  /** Makes the socket's context while its handshake request is whole (its address may come from its headers). */
  open(socket: ForumSocket): void;
  of(socket: ForumSocket): SocketContext;
}

/** One instance's connection contexts (realtime/io.ts makes them). */
export function connectionContexts(logger: Logger, addressOf: (req: IncomingMessage) => string): ConnectionContexts {
  const contexts = new WeakMap<ForumSocket, SocketContext>();
  const open = (socket: ForumSocket) => {
    const ctx = new Connection(socket.id, logger, addressOf(socket.request));
    contexts.set(socket, ctx);
    return ctx;
  };
  return { open, of: (socket) => contexts.get(socket) ?? open(socket) };
}
