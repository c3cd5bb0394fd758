// /api/auth: register, login, logout, me. Thin: validate with the shared schema, call the service, send the User.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { changePasswordInput, loginInput, registerInput } from '../../shared/schemas';
import type { UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { Unauthenticated } from '../errors';
import type { ForumPassport } from './passport';
import { changePassword } from './password-change';
import { registerUser } from './service';
import { SESSION_COOKIE, sessionCookieOptions } from './session';

export const unauthenticated = () => new Unauthenticated('Sign in first.');
const invalidCredentials = () => new Unauthenticated('Wrong username or password.', 'INVALID_CREDENTIALS');

/**
 * Starts a session for the member (passport regenerates the session id first: no fixation) and counts it among
 * the member's sessions, which ends their oldest beyond MAX_SESSIONS_PER_MEMBER. Every sign-in comes here.
 */
export async function logIn(req: Request, user: UserDTO, deps: Pick<ForumDeps, 'sessions'>): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  await deps.sessions.started(user.id, req.sessionID);
}

/** Ends the member's session: the stored session is destroyed and the cookie cleared. */
export async function logOut(req: Request, res: Response, deps: Pick<ForumDeps, 'config'>): Promise<void> {
  await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps));
}

/** The request's own session, to stay signed in through a password change (stamped and saved at once). */
export const keepSession = (req: Request) =>
  req.session
    ? {
        id: req.sessionID,
        stamp: (at: number) =>
          new Promise<void>((resolve, reject) => {
            req.session.authAt = at;
            req.session.save((err) => (err ? reject(err) : resolve()));
          }),
      }
    : null;

/** 401 UNAUTHENTICATED unless a member is signed in. */
export const requireMember: RequestHandler = (req, _res, next) => next(req.user ? undefined : unauthenticated());

export function accountRoutes(deps: ForumDeps, passport: ForumPassport): Router {
  const r = Router();

  r.post('/register', deps.limits.register, async (req, res) => {
    const input = registerInput.parse(req.body ?? {});
    const user = await registerUser(deps, input);
    await logIn(req, user, deps);
    res.status(201).json(user);
  });

  r.post('/login', deps.limits.login, (req, res, next) => {
    // Schema first: operator objects ({"$gt": ""}) and unknown fields are a 400, never a lookup.
    loginInput.parse(req.body ?? {});
    passport.authenticate('local', { session: false }, (err: unknown, user: UserDTO | false) => {
      if (err) return next(err);
      if (!user) return next(invalidCredentials());
      logIn(req, user, deps).then(() => res.json(user), next);
    })(req, res, next);
  });

  r.post('/logout', async (req, res) => {
    if (req.session) await logOut(req, res, deps);
    res.status(204).end();
  });

  r.get('/me', (req, res) => {
    if (!req.user) throw unauthenticated();
    res.json(req.user);
  });

  r.post('/password', requireMember, async (req, res) => {
    const input = changePasswordInput.parse(req.body ?? {});
    await changePassword(deps, req.user!.id, input, keepSession(req));
    res.status(204).end();
  });

  return r;
}
