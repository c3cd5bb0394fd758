// PLACEHOLDER (client issue replaces it): server-rendered pages and the built static assets.
import { Router, type RequestHandler } from 'express';
import type { ForumDeps } from '../deps';

export function pageRoutes(_deps: ForumDeps): Router {
  return Router();
}

export function staticAssets(_deps: ForumDeps): RequestHandler {
  return (_req, _res, next) => next();
}
