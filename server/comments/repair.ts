// Keeping counters equal to a recount when writes are cut short. A write that fails half-way (the database went
// away between the comment and its counters) marks its thread; marked threads are recounted as soon as the
// database answers. A forum that was killed outright cannot mark anything: at start-up it recounts the threads
// active shortly before (comments, votes and flags of the last RECENT_MS), which covers whatever it was writing, and
// records the keys of those comments whose post was killed before recording its key (idempotency.ts).
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import type { ForumDeps, ThreadRepairs } from '../deps';
import { songModel } from '../songs/model';
import { byIds } from '../db/by-ids';
import { recordStoredKeys } from './idempotency';
import { commentModel, flagModel, voteModel, type CommentRecord } from './model';
import { recountThread } from './recount';

/** How far back a start-up looks for threads a crash may have left mid-write. */
export const RECENT_MS = 10 * 60_000;
const RETRY_MS = 1000;
/** A thread whose counters keep moving while it is recounted is tried again at most this many times in a row. */
const MAX_PASSES = 5;

type Deps = Pick<ForumDeps, 'db' | 'threads' | 'threadCache' | 'logger'>;

export function createThreadRepairs(deps: Deps): ThreadRepairs {
  const dirty = new Map<string, number>();
  let draining: Promise<void> | null = null;
  let closed = false;

  const recount = async (songId: string) => {
    const { fixed, moved } = await recountThread(deps, new mongoose.Types.ObjectId(songId));
    if (fixed) {
      deps.logger.warn({ songId, fixed }, 'thread counters repaired');
      await deps.threadCache.threadChanged(songId, 'all');
    }
    return moved;
  };

  const recountDirty = async () => {
    while (dirty.size && !closed && deps.db.isUp()) {
      const [songId, passes] = dirty.entries().next().value!;
      dirty.delete(songId);
      try {
        if ((await recount(songId)) && passes < MAX_PASSES) dirty.set(songId, passes + 1);
      } catch (err) {
        // The database is still away (or failed again): keep it for the next attempt.
        dirty.set(songId, passes);
        deps.logger.warn({ err, songId }, 'thread recount failed; will retry');
        return;
      }
    }
  };
  /** One pass at a time; the promise is forgotten once settled (it may settle before it is even stored). */
  const drain = (): Promise<void> => {
    if (draining) return draining;
    const pass = recountDirty().finally(() => {
      if (draining === pass) draining = null;
    });
    draining = pass;
    return pass;
  };

  const timer = setInterval(() => dirty.size && void drain(), RETRY_MS);
  timer.unref();

  return {
    markDirty(songId) {
      if (closed) return;
      const id = String(songId);
      if (!dirty.has(id)) dirty.set(id, 0);
      // A write cut short may have landed without being announced: pages cached before it must not outlive it.
      void deps.threadCache.threadChanged(id, 'all');
      void drain();
    },
    async recountRecent(since) {
      const { ids, comments } = await recentThreads(deps, since);
      const recorded = await recordStoredKeys(deps, comments);
      if (recorded) deps.logger.warn({ recorded }, 'keys of comments whose posts were cut short recorded; their retries announce them');
      for (const id of ids) this.markDirty(id);
      await drain();
      return ids.length;
    },
    async settled(timeoutMs = 10_000) {
      for (const end = Date.now() + timeoutMs; dirty.size || draining; ) {
        if (Date.now() > end) return false;
        await (draining ?? new Promise((r) => setTimeout(r, 50)));
        if (dirty.size && !draining) void drain();
      }
      return true;
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

/**
 * Threads with a comment, vote or flag since `since`: one read of each collection (FerretDB scans for these filters).
 * Comments are found by their ids' time as well as by their songs' last activity: on the embedded database a post's
 * counters, activity included, move after its comment is stored (store/embedded.ts), so a kill in between leaves only
 * the comment.
 */
async function recentThreads(deps: Pick<ForumDeps, 'db'>, since: Date): Promise<{ ids: string[]; comments: Pick<CommentRecord, '_id' | 'songId' | 'idemKey' | 'createdAt'>[] }> {
  const conn = deps.db.conn;
  const after = (field: string) => ({ [field]: mongoose.trusted({ $gte: since }) });
  const [songs, comments, votes, flags] = await Promise.all([
    songModel(conn).find(after('activityAt'), { _id: 1 }).lean<{ _id: Types.ObjectId }[]>(),
    commentModel(conn)
      .find({ _id: mongoose.trusted({ $gte: mongoose.Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000)) }) }, { songId: 1, idemKey: 1, createdAt: 1 })
      .lean<Pick<CommentRecord, '_id' | 'songId' | 'idemKey' | 'createdAt'>[]>(),
    voteModel(conn).find(after('updatedAt'), { commentId: 1 }).lean<{ commentId: Types.ObjectId }[]>(),
    flagModel(conn).find(after('createdAt'), { songId: 1 }).lean<{ songId: Types.ObjectId }[]>(),
  ]);
  const ids = new Set([...songs.map((s) => String(s._id)), ...comments.map((c) => String(c.songId)), ...flags.map((f) => String(f.songId))]);
  const voted = await byIds<CommentRecord>(commentModel(conn), votes.map((v) => v.commentId), { songId: 1 });
  for (const r of voted.values()) ids.add(String(r.songId));
  return { ids: [...ids], comments };
}
