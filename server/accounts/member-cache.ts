// What every signed-in request reads (the member's record, their unread count, their ban), kept per instance and per member
// version (cache/memo.ts): writes through the forum move the version (accounts/service.ts, password-change.ts,
// notifications/service.ts), so the next request on any instance reads it again. A write from outside the forum (the
// admin command changing a role) moves nothing: it shows within maxAgeMs.
import { createMemo } from '../cache';
import type { MemberCache, SessionMember } from '../deps';

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
