// /login, /register, /logout for browsers without JavaScript: urlencoded forms, errors next to the field,
// a redirect on success. The same account service and rate limits as /api/auth.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { registerInput } from '../../shared/schemas';
import { LoginPage, RegisterPage, type FieldErrors, type RegisterValues } from '../../client/pages/AccountPages';
import { logIn } from '../accounts/routes';
import { registerUser, verifyCredentials } from '../accounts/service';
import type { ForumDeps } from '../deps';
import { DomainError } from '../errors';
import { toErrorBody } from '../http/errors';
import type { AssetStore } from './assets';
import { currentUser, sendPage } from './render';

const form = express.urlencoded({ extended: false, limit: '16kb' });
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Only a path on this site: never `//evil.example` or `/\evil.example`, which browsers treat as another host. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && next.length <= 500 ? next : '/';
}


/** A rate limiter's 429 shown on the form instead of as JSON: the page gets the message, the response its Retry-After. */
const limited = (mw: express.RequestHandler, onLimit: (req: Request, res: Response, message: string) => void) => (req: Request, res: Response, next: NextFunction) =>
  mw(req, res, (err?: unknown) => {
    const { status, body, headers } = toErrorBody(err);
    if (!err || status !== 429) return next(err);
    if (headers) res.set(headers);
    onLimit(req, res, body.error.message);
  });

export function accountPageRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();
  const login = (req: Request, res: Response, status: number, p: { username?: string; next?: string; error?: string }) =>
    sendPage(req, res, store, status, { title: 'Log in', description: 'Log in to Chorus.', here: '/' }, <LoginPage {...p} />);
  const register = (req: Request, res: Response, status: number, p: { values?: RegisterValues; error?: string; errors?: FieldErrors; next?: string }) =>
    sendPage(req, res, store, status, { title: 'Create an account', description: 'Join Chorus.', here: '/' }, <RegisterPage {...p} />);

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    if (currentUser(req)) return res.redirect(303, next);
    login(req, res, 200, { next: next === '/' ? '' : next });
  });

  router.post(
    '/login',
    form,
    limited(deps.limits.login, (req, res, message) => {
      login(req, res, 429, { username: str(req.body?.username), next: str(req.body?.next), error: message });
    }),
    async (req, res) => {
      const username = str(req.body?.username).slice(0, 100);
      const user = await verifyCredentials(deps, username, str(req.body?.password).slice(0, 200));
      // 401 for the failure: the login rate limits count exactly these.
      if (!user) return login(req, res, 401, { username, next: str(req.body?.next), error: 'Wrong username or password.' });
      await logIn(req, user, deps);
      res.redirect(303, safeNext(req.body?.next));
    },
  );

  router.get('/register', (req, res) => {
    const next = safeNext(req.query.next);
    if (currentUser(req)) return res.redirect(303, next);
    register(req, res, 200, { next: next === '/' ? '' : next });
  });

  router.post(
    '/register',
    form,
    limited(deps.limits.register, (req, res, message) => {
      register(req, res, 429, { values: req.body, error: message, next: str(req.body?.next) });
    }),
    async (req, res) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const values: RegisterValues = { username: str(b.username), displayName: str(b.displayName), location: str(b.location) };
      const parsed = registerInput.safeParse({
        username: str(b.username),
        password: str(b.password),
        ...(str(b.displayName).trim() ? { displayName: str(b.displayName) } : {}),
        ...(str(b.location).trim() ? { location: str(b.location) } : {}),
      });
      if (!parsed.success) {
        const errors: FieldErrors = {};
        for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= `${labelOf(String(issue.path[0]))} ${issue.message}.`;
        return register(req, res, 400, { values, errors, next: str(b.next) });
      }
      try {
        const user = await registerUser(deps, parsed.data);
        await logIn(req, user, deps);
        // Back where they were reading (a song page), as logging in does.
        res.redirect(303, safeNext(b.next));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'USERNAME_TAKEN') return register(req, res, 409, { values, errors: { username: err.message }, next: str(b.next) });
        // The password policy's refusal (a common password, or one made of the username), next to the field.
        if (err instanceof DomainError && err.code === 'VALIDATION') return register(req, res, 400, { values, errors: fieldErrors(err.details), next: str(b.next) });
        throw err;
      }
    },
  );

  router.post('/logout', (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.redirect(303, '/')));
  });

  return router;
}

const LABELS: Record<string, string> = { username: 'Username', password: 'Password', displayName: 'Display name', location: 'Location' };
const labelOf = (field: string) => LABELS[field] ?? 'This field';
const fieldErrors = (details: unknown): FieldErrors =>
  Object.fromEntries((details as { path: string; message: string }[]).map((d) => [d.path, `${labelOf(d.path)} ${d.message}.`]));
