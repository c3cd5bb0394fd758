// Replies in context: each reply carries who it answers and how that comment began, so it reads right wherever
// it lands (a later page, another sort, a live arrival), and the browser never has to fetch the parent.
import type { Types } from 'mongoose';
import type { ReplyContext } from '../../shared/types';
import { byIds } from '../db/by-ids';
import type { ForumDeps } from '../deps';
import { authorOf, toCommentDTO } from './dto';
import { commentModel, type CommentRecord } from './model';

const EXCERPT = 140;

export function replyContextOf(parent: Pick<CommentRecord, '_id' | 'author' | 'body' | 'status'>): ReplyContext {
  const removed = parent.status === 'removed';
  const text = removed ? '' : parent.body.replace(/\s+/g, ' ').trim();
  const { name, guest } = authorOf(parent.author);
  return { id: String(parent._id), name, guest, excerpt: text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1).replace(/\s\S*$/, '')}…` : text, removed };
}

type Parent = Pick<CommentRecord, '_id' | 'author' | 'body' | 'status'>;

/**
 * The comments as DTOs, replies with their parent's context. Parents not among `rows` come from `parents` (a page's
 * thread store, which may keep them), else by _id in one query.
 */
export async function withReplyContext(deps: Pick<ForumDeps, 'db'>, rows: CommentRecord[], parents?: (ids: Types.ObjectId[]) => Promise<Map<string, Parent>>) {
  const parentIds = rows.flatMap((c) => (c.parentId ? [c.parentId] : []));
  const known = new Map(rows.map((c) => [String(c._id), c]));
  const missing = parentIds.filter((id) => !known.has(String(id)));
  const fetched: Map<string, Parent> = parents ? await parents(missing) : await byIds<CommentRecord>(commentModel(deps.db.conn), missing, { author: 1, body: 1, status: 1 });
  return rows.map((c) => {
    const parent = c.parentId ? (known.get(String(c.parentId)) ?? fetched.get(String(c.parentId))) : undefined;
    // A parent readers cannot see (held for review) gives no context away.
    const shown = parent && (parent.status === 'visible' || parent.status === 'removed') ? replyContextOf(parent) : null;
    return { ...toCommentDTO(c), inReplyTo: c.parentId ? shown : null };
  });
}
