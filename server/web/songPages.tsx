// The reading pages: / (recent discussions, search), /songs/:slug (the song and its thread) and a comment's
// permalink /songs/:slug/c/:id (the thread page that holds it), plus the no-JavaScript comment form's POST, which
// goes through the same postComment as the API.
import { createHash, randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { listSongsQuery, postCommentInput, slug as slugSchema, threadQuery, type ThreadQuery } from '../../shared/schemas';
import { renderToString } from 'preact-render-to-string';
import type { BanDTO, CommentPage, SongDTO, UserDTO } from '../../shared/types';
import { HomePage } from '../../client/pages/HomePage';
import { SignInState, slotMark } from '../../client/components/Document';
import { SongPage, songDescription, ViewerBlock } from '../../client/pages/SongPage';
import type { ThreadData, ViewerData } from '../../client/thread/data';
import { keptParts, memberRoute, pageRoute, sendCached, sendAssembled, type KeptParts } from '../cache';
import { findComment } from '../comments/access';
import { viewerMarks } from '../comments/marks';
import { postComment } from '../comments/post';
import { LISTED, listThread, newestListedId } from '../comments/thread';
import { encodeCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { notFound } from '../http/errors';
import { activeBan } from '../moderation/bans';
import { listPicks } from '../moderation/picks';
import { isModerator } from '../moderation/roles';
import { formToken, renderedAt } from '../moderation/pipeline/formToken';
import type { SongRecord } from '../songs/model';
import { findSongBySlug, listSongs, songIdBySlug, toSongDTO } from '../songs/service';
import type { AssetStore } from './assets';
import { currentUser, formRefusal, HTML_TYPE, PAGE_CACHE_CONTROL, pageHtml, sendPage } from './render';
import { flashOf } from './moderationPages';

/** Editor's picks on the home page. */
const HOME_PICKS = 5;

/** Comments on the first server-rendered page; the browser loads more by cursor. */
export const THREAD_PAGE = 50;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
export const permalink = (slug: string, id: string) => `/songs/${encodeURIComponent(slug)}/c/${id}`;

export interface SongRender {
  status?: number;
  form?: ThreadData['form'];
  notice?: string;
  /** A comment id: render the oldest-order page that starts at it (its permalink). */
  at?: string;
}

/** Renders the song page for this request (any method: a failed form post renders it too). */
export async function renderSong(deps: ForumDeps, store: AssetStore, req: Request, res: Response, opts: SongRender = {}): Promise<void> {
  const slug = slugSchema.safeParse(req.params.slug);
  if (!slug.success) throw notFound('No such song.');
  const user = currentUser(req);
  if (isKeptRead(req, opts) && !isModerator(user)) {
    const songId = await songIdBySlug(deps, slug.data);
    const threadId = String(songId);
    const guard = readerPageGuard(deps, store);
    if (!user) {
      const variant = `html\n${origin(deps, req)}\n${req.originalUrl}\n${guard}`;
      const page = await deps.threadCache.page(threadId, variant, async () => ({ type: HTML_TYPE, body: await songHtml(deps, store, req, res, slug.data, opts) }));
      if (page) {
        // The next reader asking for this address is answered before the app while the page stays current.
        if (hotPages(deps.config)) deps.threadCache.remember(pageRoute(req.headers.host, req.originalUrl), threadId, variant, { cacheControl: PAGE_CACHE_CONTROL, guard });
        return sendCached(req, res, page, PAGE_CACHE_CONTROL);
      }
    } else {
      // A member's page: the thread as every member sees it, kept per thread version, around their own header.
      const variant = `member\n${origin(deps, req)}\n${req.originalUrl}\n${guard}`;
      const kept = await deps.threadCache.value<MemberPage>(threadId, variant, async () => {
        const parts = keptParts(await songHtml(deps, store, req, res, slug.data, opts, 'member-parts'), MEMBER_SLOTS, slotMark);
        const heldAuthors = await deps.moderation.heldAuthors(songId);
        return { value: { parts, heldAuthors }, bytes: parts.bytes + heldAuthors.size * 64 };
      });
      // Their own held comments are theirs alone: such a member's page is made for them (below).
      if (kept && !kept.heldAuthors.has(user.id)) {
        // The next member asking for this address is answered before the app (memberReads.tsx) while it stays current.
        if (hotPages(deps.config)) deps.threadCache.remember(memberRoute(req.headers.host, req.originalUrl), threadId, variant, { cacheControl: PAGE_CACHE_CONTROL, guard });
        return sendAssembled(req, res, kept.parts, memberFills(user, Number(res.locals.unread ?? 0), await activeBan(deps, user.id)), HTML_TYPE, PAGE_CACHE_CONTROL);
      }
    }
  }
  const html = await songHtml(deps, store, req, res, slug.data, opts);
  res.status(opts.status ?? 200).set({ 'Cache-Control': PAGE_CACHE_CONTROL }).type('html').send(html);
}

/** Query parameters a reader's song page may carry and still be kept: anything else is rendered each time. */
const KEPT_QUERY = new Set(['sort', 'cursor', 'posted']);

/**
 * A plain GET: for readers (no member signed in) the same page for each, for members the same page but for their
 * header, so either is kept per thread version. Moderators' pages carry their tools on every comment: made each time.
 */
function isKeptRead(req: Request, opts: SongRender): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || opts.status || opts.form || opts.notice) return false;
  for (const k in req.query) if (!KEPT_QUERY.has(k)) return false;
  return true;
}

/** Where a member's page differs from every other member's: their header, their block for the script. */
const MEMBER_SLOTS = ['account', 'viewer'] as const;

/** What fills a member's kept page (MEMBER_SLOTS): their header, their block for the script. */
export const memberFills = (user: UserDTO, unread: number, ban: BanDTO | null): string[] => [
  renderToString(<SignInState user={user} unread={unread} />),
  renderToString(<ViewerBlock viewer={ban ? { user, ban } : { user }} />),
];

export interface MemberPage {
  parts: KeptParts;
  /** Members with held or rejected comments in the thread: their pages are made for them. */
  heldAuthors: ReadonlySet<string>;
}

/**
 * Whom a member's kept page is rendered as: a member (not staff) whose name and id appear nowhere in what is kept
 * (the thread renders the same for every such member until the script runs; the member is filled into the slots).
 */
const ANY_MEMBER: UserDTO = { id: '', username: '', displayName: '', location: null, role: 'member', createdAt: '' };

/**
 * Everything besides its address and the thread that a reader's page is made of: whether guests may post (the form)
 * and the built assets' names. Per-render values (the form's clientId and render time, the server's clock for
 * relative times) are those of the build: the clientId is made per post by the form's POST (idempotencyKeyOf), the
 * render time only ever ages, and the browser re-times relative times at once.
 */
export function readerPageGuard(deps: Pick<ForumDeps, 'settings'>, store: AssetStore): string {
  const a = store.assets();
  return `${deps.settings.current().guestPosting}\n${a.js}\n${a.css}\n${a.icon}\n${a.moderationJs ?? ''}`;
}

/**
 * Pages may be answered before the app (http/hot-reads.ts) unless their links could depend on a proxy's headers
 * (the protocol, with TRUST_PROXY and no PUBLIC_URL), which the hot path does not weigh.
 */
export const hotPages = (config: Pick<ForumDeps['config'], 'trustProxy' | 'publicUrl'>) => !config.trustProxy || !!config.publicUrl;

/**
 * The song page's HTML as this request's reader sees it (reads the database); 'member-parts': as any member (not
 * staff) without held comments sees it, with slots for the member's own parts (MEMBER_SLOTS).
 */
async function songHtml(deps: ForumDeps, store: AssetStore, req: Request, res: Response, slug: string, opts: SongRender, as?: 'member-parts'): Promise<string> {
  const record = await findSongBySlug(deps, slug);
  const song = toSongDTO(record, true);
  let query: ThreadQuery;
  if (opts.at) {
    const c = await findComment(deps, opts.at).catch(() => null);
    if (!c || String(c.songId) !== song.id || !LISTED.includes(c.status)) throw notFound('No such comment.');
    // The page whose range holds the comment: oldest order, from just before its position.
    query = { sort: 'oldest', limit: THREAD_PAGE, cursor: c.seq > 1 ? encodeCursor({ o: 'oldest', k: c.seq - 1, i: String(c._id) }) : undefined };
  } else {
    const q = threadQuery.safeParse({ sort: str(req.query.sort), cursor: str(req.query.cursor), limit: THREAD_PAGE });
    query = q.success ? q.data : threadQuery.parse({ limit: THREAD_PAGE });
  }
  const user = as === 'member-parts' ? ANY_MEMBER : currentUser(req);
  // Members' kept parts show the page every reader shares: a member whose held comments it would add is not served them.
  const page = await listThread(deps, song.slug, query, as === 'member-parts' ? null : user, record);
  const guestPosting = deps.settings.current().guestPosting;
  const thread: ThreadData = {
    slug: song.slug,
    page,
    sort: query.sort,
    newestId: await newestCommentId(deps, record, query, page),
    user,
    guestPosting,
    // Guests' page form carries when it was rendered (signed): a form sent sooner than a person could is a bot's.
    formToken: !user && guestPosting ? formToken(deps.config.sessionSecret) : undefined,
    held: req.query.posted === 'held',
    reported: req.query.reported === '1',
    modNote: isModerator(user) ? flashOf(req) : undefined,
    editWindowMs: deps.config.editWindowMs,
    // The page may be kept and served for a long while (the page cache): its times show as dates until the script runs.
    now: null,
    formClientId: randomUUID(),
    form: opts.form,
    startsAt: opts.at && query.cursor ? opts.at : null,
    notice: opts.notice,
  };
  const canonical = opts.at ? permalink(song.slug, opts.at) : `/songs/${song.slug}`;
  // After a failed no-script post the URL is the form's POST one: "Log in" brings the reader back to the song.
  const here = req.method === 'GET' ? undefined : `/songs/${song.slug}`;
  const shell = { title: songTitle(song), description: songDescription(song), canonical: `${origin(deps, req)}${canonical}`, here, script: true, accountSlot: as === 'member-parts' };
  // A page made for this member alone carries their votes on it: the plain vote buttons show them pressed.
  const viewer: ViewerData | 'slot' | null = as === 'member-parts' ? 'slot' : user && (await viewerBlock(deps, user, [...page.items, ...(page.picks ?? [])].map((c) => c.id)));
  return pageHtml(req, res, store, shell, <SongPage song={song} thread={thread} viewer={viewer} />);
}

/** The block of a page made for this member alone: who they are, their votes on its comments, their ban if any. */
async function viewerBlock(deps: ForumDeps, user: UserDTO, ids: string[]): Promise<ViewerData> {
  const [marks, ban] = await Promise.all([viewerMarks(deps, user.id, ids), activeBan(deps, user.id)]);
  return { user, votes: marks.votes, ...(ban ? { ban } : {}) };
}

const origin = (deps: ForumDeps, req: Request) => deps.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;

export function songPageRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const parsed = listSongsQuery.safeParse({ q: str(req.query.q), cursor: str(req.query.cursor), limit: 20 });
    const query = parsed.success ? parsed.data : { limit: 20 };
    const page = await listSongs(deps, query);
    const q = parsed.success ? (parsed.data.q ?? '') : '';
    const picks = q || req.query.cursor ? [] : (await listPicks(deps, { limit: HOME_PICKS })).items;
    sendPage(req, res, store, 200, { title: q ? `Songs matching “${q}”` : 'Chorus', description: 'Chorus: live discussions about songs, with the facts behind them.', canonical: `${origin(deps, req)}/` }, <HomePage songs={page.items} q={q} nextCursor={page.nextCursor} now={Date.now()} picks={picks} />);
  });

  router.get('/songs/:slug', (req, res) => renderSong(deps, store, req, res));
  // The form's own address answers too: reloading the page a failed post rendered is the song page, not a 404.
  router.get('/songs/:slug/comments', (req, res) => renderSong(deps, store, req, res));
  router.get('/songs/:slug/c/:id', (req, res) => renderSong(deps, store, req, res, { at: String(req.params.id) }));

  // Without JavaScript the comment form posts here; the poster lands on their comment's permalink.
  router.post('/songs/:slug/comments', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const user = currentUser(req);
    const guest = !user && (blankToUndefined(b.name) || deps.settings.current().guestPosting) ? { name: str(b.name) ?? '', ...(blankToUndefined(b.location) ? { location: str(b.location) } : {}) } : undefined;
    // The guests' bot check: the hidden field a person leaves empty, and the signed time the form was rendered.
    const form = user ? null : { trap: str(b.website) ?? '', renderedAt: renderedAt(deps.config.sessionSecret, b.formToken) };
    try {
      const input = postCommentInput.parse({ body: str(b.body) ?? '', parentId: blankToUndefined(b.parentId), clientId: idempotencyKeyOf(b), author: guest });
      const { comment } = await postComment(deps, { user, ip: req.ip ?? 'unknown', guest: input.author, form }, String(req.params.slug), input);
      const slug = String(req.params.slug);
      // A held comment has no permalink for readers: its author finds it marked on the newest page.
      if (comment.status === 'pending') return res.redirect(303, `/songs/${encodeURIComponent(slug)}?sort=newest&posted=held#c-${comment.id}`);
      res.redirect(303, `${permalink(slug, comment.id)}#c-${comment.id}`);
    } catch (err) {
      // An unknown song is the 404 page; our own faults are the error page. Anything else the reader can fix.
      const { status, message } = formRefusal(err, res);
      await renderSong(deps, store, req, res, { status, form: { body: str(b.body) ?? '', name: str(b.name), location: str(b.location), error: message } });
    }
  });

  return router;
}

/**
 * The post's idempotency key from the form's clientId. A reader's page is cached, so every reader of one version of
 * it holds the same clientId, and guests behind one address share a poster key: what was written is part of the key,
 * so a resubmitted form (same page, same text) still posts once while two people's different posts never meet.
 */
export function idempotencyKeyOf(b: Record<string, unknown>): string | undefined {
  const clientId = blankToUndefined(b.clientId);
  if (clientId === undefined) return undefined;
  // A malformed clientId stays malformed (the schema answers 400 for it, as before).
  if (!/^[\w.:-]+$/.test(clientId.trim())) return clientId;
  const written = createHash('sha256').update(JSON.stringify([str(b.body), str(b.parentId), str(b.name), str(b.location)])).digest('base64url').slice(0, 22);
  return `${clientId.trim().slice(0, 64)}.${written}`;
}

/** The thread's newest comment id: where the browser's first catch-up starts. A first page may have it already. */
async function newestCommentId(deps: ForumDeps, song: SongRecord, query: ThreadQuery, page: CommentPage): Promise<string | null> {
  if (query.sort === 'newest' && !query.cursor) return page.items[0]?.id ?? null;
  // An oldest-first page with nothing after it holds the whole thread: its last listed comment is the newest.
  if (query.sort === 'oldest' && !query.cursor && !page.nextCursor) return page.items.filter((c) => LISTED.includes(c.status)).at(-1)?.id ?? null;
  return newestListedId(deps, song);
}

function songTitle(song: SongDTO): string {
  return `${song.title} by ${song.artist}`;
}
