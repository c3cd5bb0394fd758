// The thread store for MongoDB: pages are index ranges over (songId, seq), the top order is the
// (songId, score, _id) index, counters move by atomic $inc. No position documents, no queues, no memory.
import mongoose, { type Connection } from 'mongoose';
import { byIds } from '../../db/by-ids';
import { insertRecord } from '../../db/insert';
import { NotFound } from '../../errors';
import { songModel, type SongRecord } from '../../songs/model';
import { commentModel, type CommentRecord } from '../model';
import { claimUpdate, type NewComment, type ThreadStore } from './types';

/** The widest window of positions one read asks for while skipping holes. */
const MAX_WINDOW = 2000;

export function createMongoStore(conn: Connection): ThreadStore {
  const Comments = commentModel(conn);
  const Songs = songModel(conn);
  return {
    kind: 'mongo',
    soleInstance: false,
    lastPosition: async (song) => song.lastSeq ?? 0,

    /**
     * A bounded window of positions (`seq` between from and from +/- want) over the (songId, seq) index, sorted
     * here; a window with holes (comments of other statuses, posts that failed after taking a position) is widened.
     */
    async readPage(song, from, dir, want, statuses) {
      const found: CommentRecord[] = [];
      let edge = from;
      for (let round = 0; found.length < want; round++) {
        if (dir === 1 ? edge >= (song.lastSeq ?? 0) : edge <= 1) break;
        const span = Math.min((want - found.length) * 2 ** round, MAX_WINDOW);
        const seq = dir === 1 ? { $gt: edge, $lte: edge + span } : { $lt: edge, $gte: edge - span };
        const rows = await Comments.find({ songId: song._id, seq: mongoose.trusted(seq), status: mongoose.trusted({ $in: statuses }) })
          .limit(span)
          .lean<CommentRecord[]>();
        found.push(...rows.sort((a, b) => dir * (a.seq - b.seq)));
        edge += dir * span;
      }
      return found.slice(0, want);
    },

    readTop(song, want, after, statuses) {
      const filter: Record<string, unknown> = { songId: song._id, status: mongoose.trusted({ $in: statuses }) };
      if (after) {
        filter.$or = [{ score: mongoose.trusted({ $lt: after.score }) }, { score: after.score, _id: mongoose.trusted({ $gt: new mongoose.Types.ObjectId(after.id) }) }];
      }
      return Comments.find(filter).sort({ score: -1, _id: 1 }).limit(want).lean<CommentRecord[]>();
    },

    async comments(song, ids) {
      const rows = await byIds<CommentRecord>(Comments, ids);
      return new Map([...rows].filter(([, c]) => c.songId.equals(song._id)));
    },

    async insertAtNextPosition(song, fields: NewComment, idemKey, _id, hooks) {
      await hooks?.before?.();
      const createdAt = new Date();
      const counted = await Songs.findOneAndUpdate(
        { _id: song._id },
        claimUpdate(fields, createdAt),
        { new: true },
      ).lean<SongRecord>();
      if (!counted) throw new NotFound('No such song.');
      let record: CommentRecord;
      try {
        record = await insertRecord(Comments, { _id, songId: song._id, seq: counted.lastSeq, createdAt, idemKey, ...fields });
      } catch (err) {
        // The position stays empty (readers skip it); the count goes back.
        if (fields.status === 'visible') await Songs.updateOne({ _id: song._id }, { $inc: { commentCount: -1 } });
        throw err;
      }
      await hooks?.afterInsert?.(record);
      return record;
    },

    // $inc is atomic here, and a vote swap's delta is computed from the value it replaced: nothing to serialise.
    moveCounters: (_key, move) => move(),
    noteScore: () => undefined,
  };
}
