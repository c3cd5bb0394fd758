// Which sessions each member has signed in, so a member keeps at most MAX_SESSIONS_PER_MEMBER: signing in once
// more ends the oldest. Without a cap a script that knows a password (or a member's busy password manager) piles
// up sessions kept for 30 days each.
//
// The index is kept per member beside the session store (one MongoDB document or one Redis sorted set), since
// neither store can list a member's sessions by itself (connect-mongo keeps the session as a JSON string, and
// FerretDB would scan every session for any filter but _id). Entries of sessions that ended otherwise (logout,
// idle expiry) are found dead against the store and dropped whenever the member signs in.
import type session from 'express-session';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';

export interface MemberSessions {
  /** Records a session that just signed in; ends the member's oldest live sessions beyond the cap. */
  started(userId: string, sessionId: string): Promise<void>;
}

/** Where a member's session ids are listed, with when each signed in. */
export interface SessionIndex {
  add(userId: string, sessionId: string, at: number): Promise<void>;
  list(userId: string): Promise<{ sessionId: string; at: number }[]>;
  remove(userId: string, sessionIds: string[]): Promise<void>;
  /** The ids among these that the session store still holds, unexpired. */
  live(sessionIds: string[]): Promise<Set<string>>;
}

// Session ids come from express-session (uid-safe, base64url); anything else is never used as a key.
const SESSION_ID = /^[\w-]{1,128}$/;

export function memberSessions(index: SessionIndex, store: session.Store, max: number): MemberSessions {
  // The store's destroy is the one that tells the bus (session.ts), so the ended session's sockets close too.
  const end = (sessionId: string) => new Promise<void>((resolve, reject) => store.destroy(sessionId, (err) => (err ? reject(err) : resolve())));
  return {
    started: async (userId, sessionId) => {
      if (!SESSION_ID.test(sessionId)) return;
      await index.add(userId, sessionId, Date.now());
      const listed = await index.list(userId);
      const live = await index.live(listed.map((s) => s.sessionId));
      const dead = listed.filter((s) => !live.has(s.sessionId)).map((s) => s.sessionId);
      const alive = listed.filter((s) => live.has(s.sessionId)).sort((a, b) => a.at - b.at);
      const oldest = alive
        .slice(0, Math.max(0, alive.length - max))
        .map((s) => s.sessionId)
        .filter((id) => id !== sessionId);
      await Promise.all(oldest.map(end));
      if (dead.length || oldest.length) await index.remove(userId, [...dead, ...oldest]);
    },
  };
}

/** The index as one document per member: `{_id: userId, sessions: {SESSION_ID: signedInAtMs}}` (updates by path are atomic). */
export function mongoSessionIndex(conn: Connection, sessionsCollection: string): SessionIndex {
  const members = () => conn.db!.collection<{ _id: string; sessions?: Record<string, number> }>('member_sessions');
  return {
    add: async (userId, sessionId, at) => {
      await members().updateOne({ _id: userId }, { $set: { [`sessions.${sessionId}`]: at } }, { upsert: true });
    },
    list: async (userId) => {
      const doc = await members().findOne({ _id: userId });
      return Object.entries(doc?.sessions ?? {}).map(([sessionId, at]) => ({ sessionId, at }));
    },
    remove: async (userId, sessionIds) => {
      await members().updateOne({ _id: userId }, { $unset: Object.fromEntries(sessionIds.map((id) => [`sessions.${id}`, ''])) });
    },
    live: async (sessionIds) => {
      // One lookup by _id each (at most the cap and one): FerretDB serves those, and only those, from an index.
      const sessions = conn.db!.collection<{ _id: string; expires?: Date }>(sessionsCollection);
      const found = await Promise.all(sessionIds.map((id) => sessions.findOne({ _id: id }, { projection: { expires: 1 } })));
      const now = Date.now();
      return new Set(found.filter((d) => d && (!d.expires || d.expires.getTime() > now)).map((d) => d!._id));
    },
  };
}

/** The index as one sorted set per member (score: when each signed in), expiring with the sessions it lists. */
export function redisSessionIndex(redis: Redis, prefix: string, sessionKey: (id: string) => string, ttlMs: number): SessionIndex {
  const key = (userId: string) => `${prefix}${userId}`;
  return {
    add: async (userId, sessionId, at) => {
      await redis.multi().zadd(key(userId), at, sessionId).pexpire(key(userId), ttlMs).exec();
    },
    list: async (userId) => {
      const flat = await redis.zrange(key(userId), 0, -1, 'WITHSCORES');
      const out: { sessionId: string; at: number }[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ sessionId: flat[i], at: Number(flat[i + 1]) });
      return out;
    },
    remove: async (userId, sessionIds) => {
      await redis.zrem(key(userId), ...sessionIds);
    },
    live: async (sessionIds) => {
      if (!sessionIds.length) return new Set();
      const exists = await Promise.all(sessionIds.map((id) => redis.exists(sessionKey(id))));
      return new Set(sessionIds.filter((_, i) => exists[i] === 1));
    },
  };
}
