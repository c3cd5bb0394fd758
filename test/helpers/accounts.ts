// Members for tests: signUp registers through the API (a real session cookie) and, when asked, gives a role
// directly through the accounts service. The session reads the member afresh on every request, so no re-login.
import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import type { Role, UserDTO } from '../../shared/types';
import { setRole } from '../../server/accounts/service';
import type { TestForum } from './forum';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  /** A supertest agent holding the member's session cookie. */
  agent: ReturnType<typeof request.agent>;
  /** `chorus.sid=...`, for a socket.io client's cookie header. */
  cookie: string;
  user: UserDTO;
  password: string;
}

export const uniqueUsername = (label = 'u') => `${label}_${randomBytes(5).toString('hex')}`.slice(0, 30);

export async function signUp(
  forum: TestForum,
  opts: { username?: string; role?: Role; password?: string; displayName?: string; location?: string } = {},
): Promise<SignedUp> {
  const agent = forum.agent();
  const password = opts.password ?? TEST_PASSWORD;
  const body: Record<string, string> = { username: opts.username ?? uniqueUsername(opts.role ?? 'u'), password };
  if (opts.displayName !== undefined) body.displayName = opts.displayName;
  if (opts.location !== undefined) body.location = opts.location;
  const res = await agent.post('/api/auth/register').send(body);
  if (res.status !== 201) throw new Error(`signUp failed: ${res.status} ${JSON.stringify(res.body)}`);
  let user = res.body as UserDTO;
  if (opts.role && opts.role !== user.role) user = await setRole(forum.deps, user.id, opts.role);
  return { agent, cookie: sessionCookie(res.headers['set-cookie']), user, password };
}

/** The `name=value` of the session cookie among Set-Cookie headers. */
export function sessionCookie(setCookie: string[] | string | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const c = all.find((h) => h.startsWith('chorus.sid='));
  if (!c) throw new Error('no session cookie was set');
  return c.split(';')[0];
}
