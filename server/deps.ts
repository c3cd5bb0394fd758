// What one forum instance is made of; passed in, never imported as singletons, so tests build their own.
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { MemberSessions } from './accounts/member-sessions';
import type { ForumBus } from './bus';
import type { ThreadCache, VersionedMemo } from './cache';
import type { UserDTO } from '../shared/types';
import type { Config } from './config';
import type { Database } from './db/connection';
import type { CommentModeration } from './comments/moderation';
import type { ThreadStore } from './comments/store/types';
import type { SettingsHolder } from './moderation/types';
import type { SongActivityOrder } from './songs/activity-order';

export interface ForumDeps {
  config: Readonly<Config>;
  db: Database;
  logger: Logger;
  bus: ForumBus;
  /** Set when REDIS_URL is: shared sessions, rate limits, presence and socket fan-out. */
  redis: Redis | null;
  limits: ForumLimits;
  /** Thread pages kept as bytes per thread version; every thread write moves the version (comments/publish.ts). */
  threadCache: ThreadCache;
  /** What every signed-in request reads, kept per member version: every write to it moves the version. */
  memberCache: MemberCache;
  /** How threads are read and written on this database (chosen once, in forum.ts). */
  threads: ThreadStore;
  /** Recounts threads whose counters a cut-short write may have left wrong. */
  repairs: ThreadRepairs;
  /**
   * Slug -> song id, learnt as songs are asked for: slugs never change and songs are not deleted, so a song page
   * reads the song by _id (a FerretDB other than Chorus's build finds a song by slug only by scanning).
   */
  songIds: Map<string, Types.ObjectId>;
  /** The song list's order, kept in memory on the embedded database (songs/activity-order.ts); null on MongoDB. */
  songOrder: SongActivityOrder | null;
  /** Each member's signed-in sessions: every sign-in goes through it, so the cap holds. */
  sessions: MemberSessions;
  /** What the comment services ask of moderation (moderation/port.ts). */
  moderation: CommentModeration;
  /** Moderation settings in force (environment defaults, then what an admin saved; reloaded every second). */
  settings: SettingsHolder;
}

/** Recounts threads whose counters a cut-short write may have left wrong (comments/repair.ts). */
export interface ThreadRepairs {
  /** The thread's counters may be off: recount it as soon as the database answers. */
  markDirty(songId: Types.ObjectId | string): void;
  /** Recounts the threads with activity since `since`; answers how many were looked at. */
  recountRecent(since: Date): Promise<number>;
  /** Resolves once no thread waits for a recount (or the database stays away past `timeoutMs`). */
  settled(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

/** Rate limits, in Redis when REDIS_URL is set so every instance shares one budget. */
export interface ForumLimits {
  /** One posting budget per poster (`user:ID` or `ip:ADDR`), shared by HTTP and sockets; throws HttpError 429 RATE_LIMITED. */
  posting(key: string): Promise<void>;
  /** Gives back what `posting` took from the budget for a post that turned out to repeat a stored one. */
  postingBack(key: string): Promise<void>;
  /**
   * A member's budget for acts that cost the forum more than they should cost a person (ACT_LIMITS in
   * http/security.ts): votes (each moves a thread's version and reaches every reader), password changes (each is an
   * argon2 verification) and display-name changes (each rewrites the member's comments). Throws 429 RATE_LIMITED.
   */
  act(kind: 'vote' | 'password' | 'rename', userId: string): Promise<void>;
  /** Express middleware for POST /api/auth/login (per username and per address). */
  login: RequestHandler;
  /** Express middleware for POST /api/auth/register (per address). */
  register: RequestHandler;
  /**
   * Express middleware for every GET the app answers itself, after the session: per member when signed in, else per
   * address. Readers' cache hits are answered before the app and never count; while Redis is away reads go on.
   */
  reads: RequestHandler;
  /** Stops the limits' timers (in-memory stores). */
  close(): void;
}

/** A member as a signed-in request knows them (accounts/service.ts findSessionMember). */
export interface SessionMember {
  user: UserDTO;
  passwordChangedAt: Date | null;
}

export interface MemberCache {
  /** Members' records by id (null: no such member); updateProfile, setRole and password changes move them. */
  records: VersionedMemo<SessionMember | null>;
  /** Members' unread notification counts; a notification stored or read moves them. */
  unread: VersionedMemo<number>;
  /** Members' bans (null: none), read by every post, vote and flag; a ban or its lifting moves them. */
  bans: VersionedMemo<{ reason: string; until: Date | null } | null>;
}
