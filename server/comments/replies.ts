// The replies to one comment, oldest first: what a parent's "N replies" opens when they are not on the page.
import mongoose from 'mongoose';
import type { CommentPage } from '../../shared/types';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { NotFound } from '../errors';
import { findComment } from './access';
import { withReplyContext } from './context';
import { commentModel, type CommentRecord } from './model';
import { LISTED } from './thread';

const ORDER = 'replies';

/**
 * `total` is the parent's reply count. The filter is by parentId, which leads an index: served from it on MongoDB and
 * on the embedded database (db/ferretdb/sqlite-pushdown), which then sorts the parent's replies alone.
 */
export async function listReplies(deps: Pick<ForumDeps, 'db'>, parentId: string, query: { cursor?: string; limit: number }): Promise<CommentPage> {
  const parent = await findComment(deps, parentId);
  if (!LISTED.includes(parent.status)) throw new NotFound('No such comment.');
  const filter: Record<string, unknown> = { parentId: parent._id, status: mongoose.trusted({ $in: LISTED }) };
  if (query.cursor) filter.seq = mongoose.trusted({ $gt: decodeCursor(query.cursor, ORDER).k });
  const rows = await commentModel(deps.db.conn).find(filter).sort({ seq: 1 }).limit(query.limit + 1).lean<CommentRecord[]>();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: await withReplyContext(deps, page),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ o: ORDER, k: last.seq, i: String(last._id) }) : null,
    total: parent.replyCount ?? 0,
  };
}
