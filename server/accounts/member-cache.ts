// What every signed-in request reads (the member's record, their unread count, their ban), kept per instance and per member
// version (cache/memo.ts): writes through the forum move the version (accounts/service.ts, password-change.ts,
// notifications/service.ts), so the next request on any instance reads it again. A write from outside the forum (the
// admin command changing a role) moves nothing: it shows within maxAgeMs.
import { createMemo } from '../cache';
import type { ForumDeps, MemberCache, SessionMember } from '../deps';
import type { UserDTO } from '../../shared/types';
import { findSessionMember } from './service';

export const MEMBER_MEMO = { maxEntries: 20_000, maxAgeMs: 10_000 };

export function createMemberCache(setup: Parameters<typeof createMemo>[0]): MemberCache {
  return {
    records: createMemo<SessionMember | null>(setup, 'member', MEMBER_MEMO),
    unread: createMemo<number>(setup, 'inbox', MEMBER_MEMO),
    bans: createMemo(setup, 'ban', MEMBER_MEMO),
  };
}

export function closeMemberCache(cache: MemberCache): void {
  cache.records.close();
  cache.unread.close();
  cache.bans.close();
}

/**
 * The member a session signed in as (`authAt`: when it did), or null when the session must end: an unknown member (the
 * account is gone) or a session older than their last password change. passport's deserializer and the member's page
 * before the app (web/memberReads.tsx) both ask this. A copy: what is kept is shared by the member's requests.
 */
export async function sessionMember(deps: Pick<ForumDeps, 'db' | 'memberCache'>, id: string, authAt: number | undefined): Promise<UserDTO | null> {
  const found = await deps.memberCache.records.get(id, () => findSessionMember(deps, id));
  const stale = !!found?.passwordChangedAt && (authAt ?? 0) < found.passwordChangedAt.getTime();
  return found && !stale ? { ...found.user } : null;
}
