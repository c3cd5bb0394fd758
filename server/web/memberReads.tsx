// A member's song page answered before the app (http/hot-reads.ts), as readers' pages are: the request a member's
// kept page answered once (same address, Host and settings), at the thread's current version, from a session and a
// member record already in memory. Everything it does the app would do the same way (express-session, passport's
// deserializer, the unread count, the kept parts): it verifies the signed cookie, loads the session from the store
// (kept in memory without Redis: accounts/kept-sessions.ts), checks the member record as deserializeUser does, and
// renews the cookie and touches the store as rolling sessions do. Anything else (no such session, a stale or staff
// member, a held comment of theirs, a Secure cookie over plain http, a page not kept) goes to the app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookie } from 'cookie';
import cookieSignature from 'cookie-signature';
import session from 'express-session';
import { memberRoute, sendAssembled } from '../cache';
import { sessionMember } from '../accounts/member-cache';
import type { ForumDeps } from '../deps';
import { activeBan } from '../moderation/bans';
import { isModerator } from '../moderation/roles';
import { unreadOf } from '../notifications/service';
import { HTML_TYPE } from './render';
import { memberFills, type MemberPage } from './songPages';

export interface MemberReadOptions {
  deps: Pick<ForumDeps, 'config' | 'db' | 'memberCache' | 'threadCache' | 'logger'>;
  store: session.Store;
  cookieName: string;
  /** What a member's page depends on besides its address (as for readers: songPages.ts readerPageGuard). */
  pageGuard(): string;
  /** Behind a proxy that ends TLS: its X-Forwarded-Proto says whether the request was https (as express-session). */
  trustProxy: boolean;
}

/** express-session's Cookie as it is (the types leave out its constructor's argument and serialize). */
type RenewableCookie = session.Cookie & { serialize(name: string, value: string): string };

type StoredSession = session.SessionData & { passport?: { user?: string }; authAt?: number };

/**
 * The session id a signed session cookie names, or null (no cookie, or a signature that is not ours): read as
 * express-session reads it, with the same cookie parser and signature library.
 */
export function signedSessionId(header: string | undefined, name: string, secret: string): string | null {
  if (!header) return null;
  const value = parseCookie(header)[name];
  if (!value?.startsWith('s:')) return null;
  const sid = cookieSignature.unsign(value.slice(2), secret);
  return sid === false ? null : sid;
}

/** The answer to a member's page request when it is kept and theirs; false when the app must answer. */
export function memberReads(opts: MemberReadOptions): (req: IncomingMessage, res: ServerResponse, headers: readonly [string, string][]) => Promise<boolean> {
  const { deps, store, cookieName } = opts;
  const secret = deps.config.sessionSecret;
  const load = (sid: string) => new Promise<StoredSession | null>((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve((s as StoredSession) ?? null))));
  const secure = (req: IncomingMessage) =>
    !!(req.socket as { encrypted?: boolean }).encrypted || (opts.trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https');

  return async (req, res, headers) => {
    const kept = await deps.threadCache.valueHit<MemberPage>(memberRoute(req.headers.host, req.url ?? ''), opts.pageGuard());
    if (!kept) return false;
    const sid = signedSessionId(req.headers.cookie, cookieName, secret);
    if (!sid) return false;
    const stored = await load(sid);
    const userId = stored?.passport?.user;
    if (!stored?.cookie || typeof userId !== 'string') return false;
    // express-session's own cookie, as it makes it from the stored one (Store#createSession).
    const cookie = new (session.Cookie as unknown as new (stored: object) => RenewableCookie)(stored.cookie);
    if (typeof stored.cookie.expires === 'string') cookie.expires = new Date(stored.cookie.expires);
    cookie.originalMaxAge = stored.cookie.originalMaxAge;
    if (cookie.secure && !secure(req)) return false;
    // As passport's deserializer: a session whose member cannot be (sessionMember) is the app's to end.
    const user = await sessionMember(deps, userId, stored.authAt);
    if (!user || isModerator(user) || kept.value.heldAuthors.has(userId)) return false;
    const [unread, ban] = await Promise.all([unreadOf(deps, userId), activeBan(deps, userId)]);

    // A rolling session, as express-session renews it for an unchanged one: the cookie's expiry moves and the store
    // is touched (the MongoDB store writes at most once an hour).
    cookie.maxAge = cookie.originalMaxAge ?? undefined;
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('Set-Cookie', cookie.serialize(cookieName, `s:${cookieSignature.sign(sid, secret)}`));
    sendAssembled(req, res, kept.value.parts, memberFills(user, unread, ban), HTML_TYPE, kept.cacheControl);
    store.touch?.(sid, { ...stored, cookie }, (err?: unknown) => {
      if (err) deps.logger.warn({ err }, 'session not touched');
    });
    return true;
  };
}
