// PLACEHOLDER (accounts issue replaces it): helmet/CSP, the origin check, rate limits.
import type { RequestHandler } from 'express';
import type { ForumDeps, ForumLimits } from '../deps';

export function securityMiddleware(_deps: ForumDeps): RequestHandler[] {
  return [];
}

export function createLimits(_deps: Omit<ForumDeps, 'limits'>): ForumLimits {
  const pass: RequestHandler = (_req, _res, next) => next();
  return { posting: async () => {}, login: pass, register: pass };
}
