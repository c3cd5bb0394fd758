// The thread store for the embedded database (FerretDB on SQLite), where only `_id` lookups use an index and
// updates are read-modify-write. A page reads the thread's positions by _id, then their comments by _id, so every
// page costs the same at any depth, and both are kept across the thread's versions (records.ts) so a page rebuilt
// after a write reads only what the write touched; positions are claimed by inserting a unique _id (which settles a race between
// instances atomically); the top order is kept in memory (top.ts); counter moves queue per document (queue.ts, or
// redis-queue.ts across instances).
import type { Connection, Types } from 'mongoose';
import { byteLru } from '../../cache/lru';
import { isDuplicateKey } from '../../db/connection';
import { insertRecord } from '../../db/insert';
import { NotFound } from '../../errors';
import { songModel, type SongRecord } from '../../songs/model';
import { commentModel, threadPositionId, threadPositionModel, type CommentRecord } from '../model';
import { createKeyedQueue, type KeyedQueue } from './queue';
import { uncachedRecords, type RecordCache } from './records';
import { createTopOrders, type Ranked } from './top';
import { claimUpdate, type NewComment, type SongRef, type ThreadStore } from './types';

/** How long a thread's top order is served before it is read again (other instances' votes show within it). */
export const TOP_TTL_MS = 30_000;
/** Threads whose top order one instance keeps at most. */
const TOP_THREADS_KEPT = 500;
/** Positions tried past a taken one before giving up (instances racing for the same positions). */
const MAX_CLAIM_ATTEMPTS = 1000;
/** Threads whose last claimed position one instance keeps at most (a number each). */
const LAST_CLAIMED_KEPT = 10_000;

/**
 * `queue` serialises each document's counter moves and each thread's position claims: the in-process queue for one
 * instance per database, the Redis one (redis-queue.ts) for several instances sharing a Redis (forum.ts chooses).
 * `records` keeps positions and comment records between reads (forum.ts makes it with the page cache); by default
 * every read goes to the database.
 */
export function createEmbeddedStore(conn: Connection, queue: KeyedQueue = createKeyedQueue(), records: RecordCache = uncachedRecords()): ThreadStore {
  const Comments = commentModel(conn);
  const Positions = threadPositionModel(conn);
  const Songs = songModel(conn);
  const top = createTopOrders(
    async (songId) => {
      const rows = await Comments.find({ songId }, { _id: 1, score: 1 }).lean<{ _id: Types.ObjectId; score?: number }[]>();
      return rows.map((c): Ranked => ({ id: String(c._id), score: c.score ?? 0 }));
    },
    { ttlMs: TOP_TTL_MS, maxThreads: TOP_THREADS_KEPT },
  );
  const byId = (id: Types.ObjectId | string) => Comments.findOne({ _id: id }).lean<CommentRecord>();
  const positionIn = (songId: Types.ObjectId) => async (seq: number) => {
    const p = await Positions.findOne({ _id: threadPositionId(songId, seq) }).lean();
    return p ? String(p.commentId) : null;
  };

  /**
   * The last position this process claimed in each thread, kept only while no other instance writes to the database
   * (the in-process queue): the next claim proposes the one after it without waiting for the song's answer.
   */
  const lastClaimed = queue.acrossInstances ? null : byteLru<{ seq: number; bytes: 1 }>(LAST_CLAIMED_KEPT);

  /**
   * Inserts position `seq` under its unique _id, which claims it; a taken one moves on to the next free one (another
   * instance's `$inc` can be lost, read-modify-write).
   */
  const claimFrom = async (songId: Types.ObjectId, proposed: number, commentId: Types.ObjectId): Promise<number> => {
    for (let attempt = 0, seq = proposed; ; attempt++, seq++) {
      try {
        await insertRecord(Positions, { _id: threadPositionId(songId, seq), commentId });
        return seq;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= MAX_CLAIM_ATTEMPTS) throw err;
      }
    }
  };

  /** The song's counters move first and propose the position (the next one), which is claimed after. */
  const claimAfterSong = async (songId: Types.ObjectId, fields: NewComment, createdAt: Date, commentId: Types.ObjectId, countsMoved: () => void) => {
    const hint = await Songs.findOneAndUpdate({ _id: songId }, claimUpdate(fields, createdAt), { new: true }).lean<Pick<SongRecord, 'lastSeq'>>();
    if (!hint) throw new NotFound('No such song.');
    countsMoved();
    return { seq: await claimFrom(songId, hint.lastSeq, commentId), first: hint.lastSeq };
  };

  /**
   * This process claimed `known` last: the next position is claimed beside the counters' move, which tells what the
   * song held before. Another writer may have moved on meanwhile (an import in another process): then the guessed
   * position, below the song's last, is left to the comment it names, which is written where the claim goes on to
   * (readers take a position's comment only when it was written there), so no position below the last is filled late.
   */
  const claimKnown = async (songId: Types.ObjectId, fields: NewComment, createdAt: Date, commentId: Types.ObjectId, known: number, countsMoved: () => void) => {
    const guess = known + 1;
    const [moved, claimed] = await Promise.allSettled([
      Songs.findOneAndUpdate({ _id: songId }, claimUpdate(fields, createdAt, guess), { new: false }).lean<Pick<SongRecord, 'lastSeq'>>(),
      insertRecord(Positions, { _id: threadPositionId(songId, guess), commentId }).then(
        () => true,
        (err: unknown) => {
          if (isDuplicateKey(err)) return false;
          throw err;
        },
      ),
    ]);
    if (moved.status === 'fulfilled' && moved.value) countsMoved();
    if (moved.status === 'rejected') throw moved.reason;
    if (claimed.status === 'rejected') throw claimed.reason;
    const [before, guessed] = [moved.value, claimed.value];
    if (!before) throw new NotFound('No such song.');
    if (guessed && before.lastSeq === known) return { seq: guess, first: guess };
    return { seq: await claimFrom(songId, Math.max(before.lastSeq, guess) + 1, commentId), first: guess };
  };

  /**
   * The song's lastSeq says so unless two instances' `$max` overwrote each other: positions just past it are
   * looked up too (one lookup when nothing was lost).
   */
  const lastPosition = async (song: SongRef) => {
    let last = song.lastSeq ?? 0;
    while (await Positions.exists({ _id: threadPositionId(song._id, last + 1) })) last++;
    return last;
  };

  return {
    kind: 'embedded',
    lastPosition,

    async readPage(song, from, dir, want, statuses) {
      const last = song.lastSeq ?? 0;
      const thread = await records.open(String(song._id));
      const found: CommentRecord[] = [];
      // Ask for as many positions as the page still needs; holes (other statuses, failed posts) ask again.
      for (let edge = from; found.length < want; ) {
        const seqs: number[] = [];
        for (let seq = edge + dir; seqs.length < want - found.length && seq >= 1 && seq <= last; seq += dir) seqs.push(seq);
        if (!seqs.length) break;
        edge = seqs[seqs.length - 1];
        const ids = await thread.positions(seqs, positionIn(song._id));
        const placed = seqs.flatMap((seq, i) => (ids[i] === null ? [] : [{ seq, id: ids[i]! }]));
        const rows = await thread.comments(placed.map((p) => p.id), byId);
        // A position's comment is read there only if it was written there: a guessed position left behind names a
        // comment written further on (insertAtNextPosition).
        rows.forEach((row, i) => {
          if (row && row.seq === placed[i].seq && row.songId.equals(song._id) && statuses.includes(row.status)) found.push(row);
        });
      }
      return found;
    },

    async readTop(song, want, after, statuses) {
      const thread = await records.open(String(song._id));
      const found: CommentRecord[] = [];
      let mark: Ranked | undefined = after ?? undefined;
      // Comments of other statuses are in the order too: skip them and ask for more.
      while (found.length < want) {
        const ranked = await top.ids(song._id, want - found.length, mark);
        if (!ranked.length) break;
        const rows = await thread.comments(ranked.map((r) => r.id), byId);
        for (const row of rows) if (row && statuses.includes(row.status)) found.push(row);
        mark = ranked[ranked.length - 1];
      }
      return found;
    },

    async comments(song, ids) {
      if (!ids.length) return new Map();
      const thread = await records.open(String(song._id));
      const unique = [...new Set(ids.map(String))];
      const rows = await thread.comments(unique, byId);
      return new Map(rows.flatMap((c) => (c && c.songId.equals(song._id) ? [[String(c._id), c] as const] : [])));
    },

    insertAtNextPosition(song, fields: NewComment, idemKey, _id, afterInsert) {
      // Taking the position and writing the comment happen in one turn per thread, so comments reach the thread
      // in position order: a reader paging forward never passes a position that is filled later.
      return queue.run(`song:${song._id}`, async () => {
        const thread = String(song._id);
        const createdAt = new Date();
        // Forgotten until this claim has succeeded: after a failure the next one asks the song.
        const known = lastClaimed?.get(thread)?.seq;
        lastClaimed?.delete(thread);
        let counted = false;
        const countsMoved = () => void (counted = fields.status === 'visible');
        let seq: number;
        let record: CommentRecord;
        try {
          // The song's counters propose the position, unless this process knows the thread's last one: then the
          // position is claimed beside the counters' move, and the comment waits for one round trip less.
          const claim = known === undefined ? await claimAfterSong(song._id, fields, createdAt, _id, countsMoved) : await claimKnown(song._id, fields, createdAt, _id, known, countsMoved);
          seq = claim.seq;
          if (seq !== claim.first) await Songs.updateOne({ _id: song._id }, { $max: { lastSeq: seq } });
          record = await insertRecord(Comments, { _id, songId: song._id, seq, createdAt, idemKey, ...fields });
          top.move(song._id, String(_id), record.score ?? 0);
        } catch (err) {
          // A claimed position stays empty (readers skip it); the count goes back if it moved.
          if (counted) await Songs.updateOne({ _id: song._id }, { $inc: { commentCount: -1 } });
          throw err;
        }
        lastClaimed?.set(thread, { seq, bytes: 1 });
        await afterInsert?.(record);
        return record;
      });
    },

    moveCounters: (key, move) => queue.run(key, move),
    noteScore: (songId, commentId, score) => top.move(songId, commentId, score),
  };
}
