// Server-rendered pages (shared Preact components) and the built static assets of the browser client.
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { createElement } from 'preact';
import type { ForumDeps } from '../deps';
import { isDatabaseUnavailable } from '../db/connection';
import { RateLimited } from '../errors';
import { toErrorBody } from '../http/errors';
import { isRedisUnavailable } from '../redis';
import { ErrorPage, NotFoundPage } from '../../client/pages/ErrorPages';
import { accountPageRoutes } from './accountPages';
import type { AssetStore } from './assets';
import { sendPage } from './render';
import { unreadOf } from '../notifications/service';
import { peoplePageRoutes } from './peoplePages';
import { currentUser } from './render';
import { moderationPageRoutes } from './moderationPages';
import { songPageRoutes } from './songPages';
import { threadFormRoutes } from './threadForms';

/** The pages; `store` is the forum's built assets (forum.ts serves them too, before the session). */
export function pageRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();
  const isPage = (path: string) => !path.startsWith('/api/') && path !== '/api';
  // A member's header shows their unread notifications on every page.
  router.use(async (req, res, next) => {
    const user = currentUser(req);
    if (user && isPage(req.path) && (req.method === 'GET' || req.method === 'POST')) res.locals.unread = await unreadOf(deps, user.id);
    next();
  });
  router.use(songPageRoutes(deps, store));
  router.use(threadFormRoutes(deps, store));
  router.use(peoplePageRoutes(deps, store));
  router.use(accountPageRoutes(deps, store));
  router.use(moderationPageRoutes(deps, store));

  // Any other GET is a page nobody wrote: an HTML 404 (the API's own 404 stays JSON).
  const notFound: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isPage(req.path)) return next();
    sendPage(req, res, store, 404, { title: 'Not found' }, createElement(NotFoundPage, { what: 'page' }));
  };
  const pageError: ErrorRequestHandler = (err, req, res, next) => {
    if (!isPage(req.path) || res.headersSent) return next(err);
    const { status } = toErrorBody(err);
    if (status === 404) {
      // What was missing, as the address names it: a comment under /songs/SLUG/c/ID (its song may well exist).
      const what = /^\/songs\/[^/]+\/c\//.test(req.path) ? 'comment' : req.path.startsWith('/songs/') ? 'song' : 'page';
      return sendPage(req, res, store, 404, { title: 'Not found' }, createElement(NotFoundPage, { what }));
    }
    if (status < 500) return refusalPage(req, res, store, err);
    if (isRedisUnavailable(err)) {
      return sendPage(req, res, store, 503, { title: 'Unavailable' }, createElement(ErrorPage, { message: UNAVAILABLE }));
    }
    if (isDatabaseUnavailable(err)) {
      return sendPage(req, res, store, 503, { title: 'Unavailable' }, createElement(ErrorPage, { message: 'The forum cannot reach its database just now. Please try again shortly.' }));
    }
    req.log?.error({ err }, 'page failed');
    // Never a stack trace: the 500 page says only that it was our fault.
    sendPage(req, res, store, 500, { title: 'Something went wrong' }, createElement(ErrorPage, { message: undefined }));
  };
  router.use(notFound);
  router.use(pageError);
  return router;
}

/**
 * A page request that failed before reaching the pages still gets a page: its session could not be read (Redis or the
 * database away): 503, saying that reading works without signing in; over the read limit: 429, saying when to come
 * back. Other errors go on to the JSON handler.
 */
export function pageUnavailable(store: AssetStore): ErrorRequestHandler {
  return (err, req, res, next) => {
    const isPage = !req.path.startsWith('/api/') && req.path !== '/api';
    if (!isPage || res.headersSent) return next(err);
    if (err instanceof RateLimited) return refusalPage(req, res, store, err);
    if (!(isRedisUnavailable(err) || isDatabaseUnavailable(err))) return next(err);
    req.log?.warn({ code: toErrorBody(err).body.error.code }, 'page refused: a service is unavailable');
    // The session could not be read: render as for a reader, never as a member half known.
    req.user = undefined;
    sendPage(req, res, store, 503, { title: 'Unavailable' }, createElement(ErrorPage, { message: UNAVAILABLE }));
  };
}

/** A request refused (4xx) as a page: the refusal's own words, and its headers (Retry-After). */
function refusalPage(req: Request, res: Response, store: AssetStore, err: unknown): void {
  const { status, body, headers } = toErrorBody(err);
  if (headers) res.set(headers);
  sendPage(req, res, store, status, { title: 'Sorry', errorPage: true }, createElement(ErrorPage, { message: body.error.message }));
}

const UNAVAILABLE = 'Signing in and posting are unavailable for a moment; reading works without signing in. Please try again shortly.';
