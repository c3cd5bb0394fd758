// Each connection's SocketContext, made when the connection first sends an event (a silent reader never gets one)
// and kept beside the socket only while the socket lives. Its logger and write queue are made on first use too:
// most readers never log and never post.
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
  #address?: string;

  constructor(
    private readonly socket: ForumSocket,
    private readonly logger: Logger,
    private readonly addressOf: (req: IncomingMessage) => string,
  ) {}

  get log(): Logger {
    return (this.#log ??= this.logger.child({ socket: this.socket.id }));
  }

  get address(): string {
    return (this.#address ??= this.addressOf(this.socket.request));
  }

  inTurn<T>(run: () => Promise<T>): Promise<T> {
    return (this.#queue ??= writeQueue())(run);
  }
}

/** The context of a socket, made on first use; one instance's contexts (realtime/io.ts makes one of these). */
export function connectionContexts(logger: Logger, addressOf: (req: IncomingMessage) => string): (socket: ForumSocket) => SocketContext {
  const contexts = new WeakMap<ForumSocket, SocketContext>();
  return (socket) => {
    let ctx = contexts.get(socket);
    if (!ctx) contexts.set(socket, (ctx = new Connection(socket, logger, addressOf)));
    return ctx;
  };
}
