// Editor's picks: featured comments, in a box at the top of their thread's first page, on the home page, and at
// GET /api/picks (newest first). A pick of a comment that is no longer visible is kept but not shown.
import mongoose, { type Types } from 'mongoose';
import type { CommentDTO, Page, PickDTO } from '../../shared/types';
import { toCommentDTO } from '../comments/dto';
import { commentModel, type CommentRecord } from '../comments/model';
import { isDuplicateKey } from '../db/connection';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { pickModel, type PickRecord } from './model';
import { songRefs } from './queue';

/** At most this many picks stand in a thread's box. */
export const PICKS_PER_THREAD = 5;

export async function savePick(deps: { db: ForumDeps['db'] }, c: CommentRecord, featured: boolean): Promise<void> {
  const Picks = pickModel(deps.db.conn);
  const set = { $set: { songId: c.songId, at: new Date() } };
  if (!featured) await Picks.deleteOne({ _id: c._id });
  else {
    // Two upserts of one pick can race (where no lock orders them): the one that lost finds the record and updates it.
    await Picks.updateOne({ _id: c._id }, set, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
      return Picks.updateOne({ _id: c._id }, set);
    });
  }
}

const shownAsPick = (c: CommentRecord | null | undefined): c is CommentRecord => !!c && c.status === 'visible' && !!c.featured;

async function visibleComments(deps: { db: ForumDeps['db'] }, picks: PickRecord[]): Promise<CommentRecord[]> {
  const Comments = commentModel(deps.db.conn);
  const rows = await Promise.all(picks.map((p) => Comments.findOne({ _id: p._id }).lean<CommentRecord>()));
  return rows.filter(shownAsPick);
}

/** The picks of one thread, newest first: the same for every reader. Their comments come through the thread store (which may keep them). */
export async function threadPicks(deps: Pick<ForumDeps, 'db' | 'threads'>, songId: Types.ObjectId): Promise<CommentDTO[]> {
  const picks = await pickModel(deps.db.conn).find({ songId }).sort({ at: -1, _id: -1 }).limit(PICKS_PER_THREAD * 2).lean<PickRecord[]>();
  const rows = await deps.threads.comments({ _id: songId }, picks.map((p) => p._id));
  return picks.map((p) => rows.get(String(p._id))).filter(shownAsPick).slice(0, PICKS_PER_THREAD).map(toCommentDTO);
}

export async function listPicks(deps: { db: ForumDeps['db'] }, query: { cursor?: string; limit: number }): Promise<Page<PickDTO>> {
  const filter: Record<string, unknown> = {};
  if (query.cursor) {
    const c = decodeCursor(query.cursor, 'picks');
    const at = new Date(c.k);
    if (Number.isNaN(at.getTime())) throw invalidCursor();
    filter.$or = [{ at: mongoose.trusted({ $lt: at }) }, { at, _id: mongoose.trusted({ $lt: new mongoose.Types.ObjectId(c.i) }) }];
  }
  const picks = await pickModel(deps.db.conn).find(filter).sort({ at: -1, _id: -1 }).limit(query.limit + 1).lean<PickRecord[]>();
  const page = picks.slice(0, query.limit);
  const rows = await visibleComments(deps, page);
  const songs = await songRefs(deps, rows.map((c) => c.songId));
  const last = page[page.length - 1];
  return {
    items: rows.filter((c) => songs.has(String(c.songId))).map((c) => ({ ...toCommentDTO(c), song: songs.get(String(c.songId))! })),
    nextCursor: picks.length > query.limit && last ? encodeCursor({ o: 'picks', k: last.at.getTime(), i: String(last._id) }) : null,
  };
}
