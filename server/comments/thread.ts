// Reading a thread: pages in posting order (oldest/newest), by score (top), or everything after a comment
// (catch-up after a reconnect). The thread store does the reading; this decides what a page is.
import type { ThreadQuery } from '../../shared/schemas';
import type { CommentPage, CommentStatus, UserDTO } from '../../shared/types';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { Invalid } from '../errors';
import type { SongRecord } from '../songs/model';
import { findSongBySlug } from '../songs/service';
import { isObjectId, oid } from './access';
import { withReplyContext } from './context';
import { commentModel, type CommentRecord } from './model';
import type { SharedPage } from './moderation';

type Deps = Pick<ForumDeps, 'db' | 'threads' | 'songIds' | 'moderation'>;

/** The thread's comments readers see: visible ones and the placeholders of removed ones (held ones wait for a moderator). */
export const LISTED: readonly CommentStatus[] = ['visible', 'removed'];
/** Only visible comments rank in Top: removed, held and rejected ones never do. */
const RANKED: readonly CommentStatus[] = ['visible'];
/** What a catch-up brings: comments to show, not placeholders. */
const CAUGHT_UP: readonly CommentStatus[] = ['visible'];

/**
 * A page as one viewer sees it: the page every reader shares, then what only this viewer may see merged onto it
 * (viewer.ts). The shared page never depends on who asks.
 */
export async function listThread(deps: Deps, slug: string, query: ThreadQuery, viewer: UserDTO | null = null, song?: SongRecord): Promise<CommentPage> {
  const shared = await sharedPage(deps, slug, query, song);
  return deps.moderation.forViewer(shared, viewer);
}

/**
 * One page of a thread, flat (replies carry parentId), the same for every reader. oldest/newest follow thread
 * positions (seq, posting order), so pages neither repeat nor skip while comments arrive. `after` = a comment id:
 * the visible comments posted after it, oldest first, `limit` at a time, with a cursor for the rest. `total` =
 * the visible comments. The first page carries the thread's editor's picks.
 */
export async function sharedPage(deps: Deps, slug: string, query: ThreadQuery, record?: SongRecord): Promise<SharedPage> {
  // A caller that has just read the song (the song page) hands it over: one read of it per request.
  const song = record ?? (await findSongBySlug(deps, slug));
  const shared = await readShared(deps, song, query);
  if (!query.cursor && !query.after) shared.page.picks = await deps.moderation.picks(song._id);
  return shared;
}

/**
 * The thread's newest comment a reader sees (visible, or a removed one's placeholder): where a browser's first
 * catch-up starts. Only the position and its comment are read (no picks, no reply context, no viewer's parts).
 */
export async function newestListedId(deps: Deps, song: SongRecord): Promise<string | null> {
  const last = await deps.threads.lastPosition(song);
  const [newest] = await deps.threads.readPage({ _id: song._id, lastSeq: last }, last + 1, -1, 1, LISTED);
  return newest ? String(newest._id) : null;
}

async function readShared(deps: Deps, song: SongRecord, query: ThreadQuery): Promise<SharedPage> {
  // The store keeps the top order: a top page needs no position.
  if (query.sort === 'top' && !query.after) return listTop(deps, song, query);
  let tag: string = query.sort;
  let dir: 1 | -1 = query.sort === 'newest' ? -1 : 1;
  /** Where the page starts (it holds the positions after it, or before it going back); null: the thread's end. */
  let from: number | null = dir === 1 ? 0 : null;
  let statuses = LISTED;
  if (query.after) {
    const mark = isObjectId(query.after) ? await commentModel(deps.db.conn).findOne({ _id: oid(query.after) }).lean<CommentRecord>() : null;
    if (!mark || !mark.songId.equals(song._id)) throw new Invalid('INVALID_AFTER', 'after: no such comment in this thread.');
    [tag, dir, from, statuses] = ['after', 1, mark.seq, CAUGHT_UP];
  }
  if (query.cursor) from = decodeCursor(query.cursor, tag).k;
  // The song's lastSeq can trail the thread's last position (a post moves it after readers are told; instances
  // without a shared queue can lose a $max): the store looks past it (a lookup) only for a page that reaches it.
  let checked = false;
  const checkLast = async () => {
    checked = true;
    song.lastSeq = await deps.threads.lastPosition(song);
  };
  const stored = song.lastSeq ?? 0;
  if (from === null || from > stored + 1 || (dir === 1 && from + query.limit + 1 > stored)) await checkLast();
  from ??= (song.lastSeq ?? 0) + 1;
  // A position inside the thread, or the request would walk positions that can never exist.
  if (query.cursor && (from < 0 || from > (song.lastSeq ?? 0) + 1)) throw invalidCursor();
  let rows = await deps.threads.readPage(song, from, dir, query.limit + 1, statuses);
  if (dir === 1 && rows.length <= query.limit && !checked) {
    // Positions the page skipped (held or failed posts) took it to the song's lastSeq: the thread may go on past it.
    const before = song.lastSeq ?? 0;
    await checkLast();
    if ((song.lastSeq ?? 0) > before) rows = await deps.threads.readPage(song, from, dir, query.limit + 1, statuses);
  }
  const page = await pageOf(deps, rows, query.limit, song, (last) => ({ o: tag, k: last.seq }));
  if (query.after) return { page, span: null };
  // The positions this page covers (to the thread's end when it is the last page): where a viewer's own comments go.
  const lastShown = rows.slice(0, query.limit).at(-1)?.seq;
  const end = page.nextCursor && lastShown !== undefined ? lastShown : dir === 1 ? Infinity : 0;
  return { page, span: { songId: song._id, dir, from, to: end } };
}

/**
 * Highest score first, then oldest. Scores move while a reader pages, so a comment whose score changes meanwhile
 * may show twice or be passed over.
 */
async function listTop(deps: Deps, song: SongRecord, query: ThreadQuery): Promise<SharedPage> {
  const after = query.cursor ? decodeCursor(query.cursor, 'top') : null;
  const rows = await deps.threads.readTop(song, query.limit + 1, after && { score: after.k, id: after.i }, RANKED);
  return { page: await pageOf(deps, rows, query.limit, song, (last) => ({ o: 'top', k: last.score ?? 0 })), span: null };
}

/** `rows` holds one more than the page when there is more: the page, and a cursor after its last comment. */
async function pageOf(deps: Deps, rows: CommentRecord[], limit: number, song: SongRecord, mark: (last: CommentRecord) => { o: string; k: number }): Promise<CommentPage> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: await withReplyContext(deps, items, (ids) => deps.threads.comments(song, ids)),
    nextCursor: rows.length > limit && last ? encodeCursor({ ...mark(last), i: String(last._id) }) : null,
    total: song.commentCount ?? 0,
  };
}
