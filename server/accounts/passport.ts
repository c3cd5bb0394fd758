// One passport instance per forum (not the module's global one), built in forum.ts, so several forums in one process
// (tests, benchmarks) never share strategies. The session holds only the member's id; the member is
// read again on each request, so a role change or a removed account takes effect at once.
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { dummyHash } from './password';
import { findUserById, verifyCredentials } from './service';

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
export function createPassport(deps: Pick<ForumDeps, 'db'>): passport.PassportStatic {
  // Made now, not at the first unknown username, whose answer would otherwise take one hash longer.
  void dummyHash();
  const p = new passport.Passport() as passport.PassportStatic;
  p.use(
    new LocalStrategy({ session: true }, (username, password, done) => {
      verifyCredentials(deps, username, password).then((user) => done(null, user ?? false), done);
    }),
  );
  p.serializeUser<string>((user, done) => done(null, user.id));
  p.deserializeUser<string>((id, done) => {
    // An unknown id (account deleted) logs the session out rather than failing the request.
    findUserById(deps, id).then((user) => done(null, user ?? false), done);
  });
  return p;
}
