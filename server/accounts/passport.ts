// One passport instance per forum (not the module's global one), built in forum.ts, so several forums in one process
// (tests, benchmarks) never share strategies. The session holds only the member's id; the member is
// read again on each request, so a role change or a removed account takes effect at once.
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { dummyHash } from './password';
import { sessionMember } from './member-cache';
import { verifyCredentials } from './service';

declare module 'express-session' {
  interface SessionData {
    /** When this session signed in (ms): a password changed after it ends the session. */
    authAt?: number;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // req.user is the public member shape everywhere; never a hash.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends UserDTO {}
  }
}

export type ForumPassport = passport.PassportStatic;

/** The forum's passport, built once in forum.ts: the session stack and the login route share it. */
export function createPassport(deps: Pick<ForumDeps, 'db' | 'memberCache'>): passport.PassportStatic {
  // Made now, not at the first unknown username, whose answer would otherwise take one hash longer.
  void dummyHash();
  const p = new passport.Passport() as passport.PassportStatic;
  p.use(
    new LocalStrategy({ session: true }, (username, password, done) => {
      verifyCredentials(deps, username, password).then((user) => done(null, user ?? false), done);
    }),
  );
  // Called with the new session of every sign-in (login, registration): it remembers when it signed in.
  p.serializeUser<string>((req: Express.Request, user: Express.User, done: (err: unknown, id?: string) => void) => {
    if (req.session) req.session.authAt = Date.now();
    done(null, user.id);
  });
  p.deserializeUser<string>((req: Express.Request, id: string, done: (err: unknown, user?: Express.User | false) => void) => {
    // A member that cannot be (see sessionMember) logs the session out rather than failing the request.
    sessionMember(deps, id, req.session?.authAt).then((user) => done(null, user ?? false), done);
  });
  return p;
}
