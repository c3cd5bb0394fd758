// Request logging: one line per request, written when the response ends. Reads that succeed log at debug and writes
// and failures at info and up, so at the default level a hot read pays for no log line; and nothing is made per
// request before a line is known to be written (pino-http built two child loggers, serialising the request's
// headers, for every request: BENCHMARKS.md, Reads, "Per-request costs").
import type { Express, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** A logger that names this request (its number on this instance); made on first use (handlers rarely log). */
      log: Logger;
    }
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const STARTED = Symbol('startedAt');
const ID = Symbol('requestId');
const LOG = Symbol('log');
type Tracked = Request & { [ID]: number; [STARTED]: number; [LOG]?: Logger };

/**
 * The level of a request's line: server faults error, refusals warn, a successful read is debug and any other write
 * info. 503 (the database or Redis away, said at once) warns: the outage itself is logged where it is seen. A write
 * whose client left before the answer warns (was it stored?); a read left unfinished is only debug.
 */
export function requestLevel(method: string, status: number, finished: boolean): Level {
  if (status >= 500 && status !== 503) return 'error';
  if (status >= 400 || (!finished && !SAFE.has(method))) return 'warn';
  return SAFE.has(method) ? 'debug' : 'info';
}

/** Logs each request of `app` but those `ignore` names; gives every request a lazily made `req.log`. */
export function requestLogging(app: Express, logger: Logger, ignore: (req: Request) => boolean = () => false): RequestHandler {
  let lastId = 0;
  // On the app's request prototype: no per-request logger until something is logged.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Tracked) {
      return (this[LOG] ??= logger.child({ reqId: this[ID] }));
    },
  });

  function written(this: Response) {
    const req = this.req;
    const level = requestLevel(req.method, this.statusCode, this.writableFinished);
    if (!logger.isLevelEnabled(level) || ignore(req)) return;
    logger[level](
      {
        req: { id: (req as Tracked)[ID], method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress, headers: req.headers },
        res: { statusCode: this.statusCode },
        responseTime: Date.now() - (req as Tracked)[STARTED],
      },
      this.writableFinished ? 'request completed' : 'request aborted',
    );
  }

  return (req, res, next) => {
    (req as Tracked)[ID] = ++lastId;
    (req as Tracked)[STARTED] = Date.now();
    // One shared listener, no closure per request: 'close' comes after 'finish', and also when the client went away.
    res.on('close', written);
    next();
  };
}
