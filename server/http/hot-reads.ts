// Readers' cache hits, answered before Express: a hit needs nothing of the app's per-request work (routing through
// every router, parsing the query, the middleware chain), only what each answer carries, which is worked out once
// (helmet's headers) or kept with the page. A request is answered here only when an earlier one like it (same URL,
// for pages same Host and same settings) was answered from the page cache by its route, which remembered it
// (ThreadCache.remember); anything else, a miss, a member's request, goes to the app as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiRoute, pageRoute, sendCached, type ThreadCache } from '../cache';
import type { Config } from '../config';
import { isServedHost } from './host';

export interface HotReadOptions {
  config: Pick<Config, 'publicUrl' | 'host'>;
  threadCache: ThreadCache;
  /** Headers every answer carries (helmet's, worked out once). */
  headers: readonly [string, string][];
  /** `NAME=` of the session cookie: a request carrying it goes to the app (it may be a member's). */
  sessionCookieMark: string;
  /** What a reader's page depends on besides its address (settings, built assets): see the song page route. */
  pageGuard(): string;
  /** False when a page's links could depend on a proxy's headers (TRUST_PROXY without PUBLIC_URL): pages go to the app. */
  pages: boolean;
  /**
   * A member's page request (it carries the session cookie): answered when their page is kept and the session and
   * member are as the app would find them (web/memberReads.tsx); false leaves it to the app.
   */
  members?(req: IncomingMessage, res: ServerResponse, headers: readonly [string, string][]): Promise<boolean>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function hotReads(opts: HotReadOptions, app: Handler): Handler {
  const { threadCache, headers, sessionCookieMark } = opts;
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') return app(req, res);
    if (req.headers.cookie?.includes(sessionCookieMark)) {
      if (!opts.members || !opts.pages || !url.startsWith('/songs/') || !isServedHost(req.headers.host, opts.config, req.socket)) return app(req, res);
      return void opts
        .members(req, res, headers)
        .then((answered) => answered || app(req, res))
        .catch((err: unknown) => (res.headersSent ? res.destroy(err as Error) : app(req, res)));
    }
    const api = url.startsWith('/api/songs/');
    if (!api && !(opts.pages && url.startsWith('/songs/'))) return app(req, res);
    // A name the forum does not answer for gets the app's 421.
    if (!isServedHost(req.headers.host, opts.config, req.socket)) return app(req, res);
    const found = api ? threadCache.hit(apiRoute(url)) : threadCache.hit(pageRoute(req.headers.host, url), opts.pageGuard());
    found
      .then((hit) => {
        if (!hit) return app(req, res);
        for (const [name, value] of headers) res.setHeader(name, value);
        sendCached(req, res, hit.page, hit.cacheControl);
      })
      // Whatever went wrong here, the app answers (or, past the headers, the connection ends).
      .catch((err: unknown) => (res.headersSent ? res.destroy(err as Error) : app(req, res)));
  };
}
