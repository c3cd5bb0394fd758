// PLACEHOLDER (accounts issue replaces it).
import { Router } from 'express';
import type { ForumDeps } from '../deps';

export function accountRoutes(_deps: ForumDeps): Router {
  return Router();
}
