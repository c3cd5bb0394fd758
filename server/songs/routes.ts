// PLACEHOLDER (threads issue replaces it).
import { Router } from 'express';
import type { ForumDeps } from '../deps';

export function songRoutes(_deps: ForumDeps): Router {
  return Router();
}
