// Reading a thread: pages in posting order (oldest/newest), by score (top), or everything after a comment
// (catch-up after a reconnect). The thread store does the reading; this decides what a page is.
import type { ThreadQuery } from '../../shared/schemas';
import type { CommentPage, CommentStatus } from '../../shared/types';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { Invalid } from '../errors';
import type { SongRecord } from '../songs/model';
import { findSongBySlug } from '../songs/service';
import { isObjectId, oid } from './access';
import { withReplyContext } from './context';
import { commentModel, type CommentRecord } from './model';

type Deps = Pick<ForumDeps, 'db' | 'threads' | 'songIds'>;

/** The thread's comments readers see: visible ones and the placeholders of removed ones (pending ones wait for a moderator). */
export const LISTED: readonly CommentStatus[] = ['visible', 'removed'];
/** What a catch-up brings: comments to show, not placeholders. */
const CAUGHT_UP: readonly CommentStatus[] = ['visible'];

/**
 * One page of a thread, flat (replies carry parentId). oldest/newest follow thread positions (seq, posting order),
 * so pages neither repeat nor skip while comments arrive. `after` = a comment id: the visible comments posted
 * after it, oldest first, `limit` at a time, with a cursor for the rest. `total` = visible + removed comments.
 */
export async function listThread(deps: Deps, slug: string, query: ThreadQuery): Promise<CommentPage> {
  const song = await findSongBySlug(deps, slug);
  song.lastSeq = await deps.threads.lastPosition(song);
  if (query.sort === 'top' && !query.after) return listTop(deps, song, query);
  let tag: string = query.sort;
  let dir: 1 | -1 = query.sort === 'newest' ? -1 : 1;
  let from = dir === 1 ? 0 : (song.lastSeq ?? 0) + 1;
  let statuses = LISTED;
  if (query.after) {
    const mark = isObjectId(query.after) ? await commentModel(deps.db.conn).findOne({ _id: oid(query.after) }).lean<CommentRecord>() : null;
    if (!mark || !mark.songId.equals(song._id)) throw new Invalid('INVALID_AFTER', 'after: no such comment in this thread.');
    [tag, dir, from, statuses] = ['after', 1, mark.seq, CAUGHT_UP];
  }
  if (query.cursor) {
    // A position inside the thread, or the request would walk positions that can never exist.
    from = decodeCursor(query.cursor, tag).k;
    if (from < 0 || from > (song.lastSeq ?? 0) + 1) throw invalidCursor();
  }
  const rows = await deps.threads.readPage(song, from, dir, query.limit + 1, statuses);
  return pageOf(deps, rows, query.limit, song, (last) => ({ o: tag, k: last.seq }));
}

/**
 * Highest score first, then oldest. Scores move while a reader pages, so a comment whose score changes meanwhile
 * may show twice or be passed over.
 */
async function listTop(deps: Deps, song: SongRecord, query: ThreadQuery): Promise<CommentPage> {
  const after = query.cursor ? decodeCursor(query.cursor, 'top') : null;
  const rows = await deps.threads.readTop(song, query.limit + 1, after && { score: after.k, id: after.i }, LISTED);
  return pageOf(deps, rows, query.limit, song, (last) => ({ o: 'top', k: last.score ?? 0 }));
}

/** `rows` holds one more than the page when there is more: the page, and a cursor after its last comment. */
async function pageOf(deps: Deps, rows: CommentRecord[], limit: number, song: SongRecord, mark: (last: CommentRecord) => { o: string; k: number }): Promise<CommentPage> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: await withReplyContext(deps, items),
    nextCursor: rows.length > limit && last ? encodeCursor({ ...mark(last), i: String(last._id) }) : null,
    total: song.commentCount ?? 0,
  };
}
