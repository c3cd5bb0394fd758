// The moderators' pages and their no-JavaScript forms: the same services as /api/moderation and /api/admin,
// answering with a redirect back (and a short note of what was done) or the page with the error.
import express, { Router, type Request, type Response } from 'express';
import { moderateCommentInput, moderateUserInput, objectId, pagedQuery, premoderation, queueQuery, settingsPatch, usersQuery } from '../../shared/schemas';
import type { UserDTO } from '../../shared/types';
import { DONE, LogPage, QUEUE_DATA_ID, QUEUE_ISLAND_ID, QueueView, SettingsPage, UsersPage, type FailedUserAction, type QueueData } from '../../client/pages/ModerationPages';
import { safeJson } from '../../client/pages/SongPage';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { inWords } from '../../shared/words';
import { toErrorBody } from '../http/errors';
import { moderateComment } from '../moderation/actions';
import { readLog } from '../moderation/log';
import { listQueue } from '../moderation/queue';
import { outranks, requireRole } from '../moderation/roles';
import { getSettings, updateSettings } from '../moderation/settings';
import { listUsers, moderateUser } from '../moderation/users';
import { safeNext } from './accountPages';
import type { AssetStore } from './assets';
import { currentUser, formRefusal, sendPage } from './render';

const form = express.urlencoded({ extended: false, limit: '32kb' });
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const blank = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
/** A word list as the form's textarea holds it: one per line (a phrase may hold a comma), each once whatever its case. */
const lines = (v: unknown) => {
  const seen = new Set<string>();
  return (str(v) ?? '')
    .split('\n')
    .map((w) => w.trim())
    .filter((w) => {
      const key = w.toLowerCase();
      if (!w || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
};

/** Readers are sent to log in (and back); members who do not moderate get the 403 page. */
function staff(req: Request, res: Response, role: 'moderator' | 'admin'): UserDTO | null {
  const user = currentUser(req);
  if (!user) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return null;
  }
  requireRole(user, role);
  return user;
}

/** Back where the form came from (a path on this site), with a note of what was done. */
function back(res: Response, next: unknown, fallback: string, note: string, param: 'done' | 'failed' = 'done') {
  const to = safeNext(next) === '/' ? fallback : safeNext(next);
  const [path, hash] = to.split('#');
  res.redirect(303, `${path}${path.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(note)}${hash ? `#${hash}` : ''}`);
}

/** The note a page shows after a form's action: what it did, or (`failed`, a code) why it did nothing. Known texts only. */
export const flashOf = (req: Request) => {
  const d = str(req.query.done);
  const f = str(req.query.failed);
  return d && Object.values(DONE).includes(d) ? d : f && Object.hasOwn(NOT_DONE, f) ? NOT_DONE[f as keyof typeof NOT_DONE] : undefined;
};

/** A queue or song-page action that found its comment moved on (another moderator, another tab): nothing was done. */
const NOT_DONE = {
  CONFLICT: 'Another moderator got to that comment first: nothing was changed. Here is where things stand now.',
  INVALID_TRANSITION: 'That comment has moved on since the page was loaded: nothing was changed. Here is where things stand now.',
};

export function moderationPageRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();

  /** The members page (a search's first page, or the page at `cursor`), with a note or a refused action's error. */
  const membersPage = async (req: Request, res: Response, user: UserDTO, status: number, asked: { q?: string; cursor?: string }, extra: { flash?: string; failed?: FailedUserAction }) => {
    const parsed = usersQuery.safeParse({ ...asked, limit: 20 });
    const query = parsed.success ? parsed.data : usersQuery.parse({});
    const page = await listUsers(deps, user, query);
    sendPage(req, res, store, status, { title: 'Members' }, <UsersPage users={page.items} q={query.q ?? ''} nextCursor={page.nextCursor} user={user} mayBan={(u) => outranks(user, u)} {...extra} />);
  };

  router.get('/moderation', async (req, res) => {
    const user = staff(req, res, 'moderator');
    if (!user) return;
    const parsed = queueQuery.safeParse({ status: str(req.query.status), cursor: str(req.query.cursor), limit: 20 });
    const page = await listQueue(deps, user, parsed.success ? parsed.data : queueQuery.parse({}));
    const data: QueueData = { status: parsed.success ? parsed.data.status : 'pending', ...page, user, flash: flashOf(req) };
    sendPage(req, res, store, 200, { title: 'Moderation queue', script: 'moderation' }, (
      <>
        <script type="application/json" id={QUEUE_DATA_ID} dangerouslySetInnerHTML={{ __html: safeJson(data) }} />
        <div id={QUEUE_ISLAND_ID}>
          <QueueView {...data} />
        </div>
      </>
    ));
  });

  router.post('/moderation/comments/:id', form, async (req, res) => {
    const user = staff(req, res, 'moderator');
    if (!user) return;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const input = moderateCommentInput.parse({ action: str(b.action) ?? '', ...(blank(b.reason) ? { reason: blank(b.reason) } : {}), ...(blank(b.from) ? { from: blank(b.from) } : {}) });
    try {
      await moderateComment(deps, user, objectId.parse(req.params.id), input);
    } catch (err) {
      // Stale (a page from before another moderator acted, or Back): to where the moderator was, saying nothing was done.
      if (err instanceof Conflict && Object.hasOwn(NOT_DONE, err.code)) return back(res, typeof b.next === 'string' ? b.next.split('#')[0] : b.next, '/moderation', err.code, 'failed');
      throw err;
    }
    // A rejected comment has left the thread: back to the thread, not to where it stood (the song page's script
    // sends a #c-ID it cannot find to that comment's permalink, which no longer shows it).
    back(res, input.action === 'reject' && typeof b.next === 'string' ? b.next.split('#')[0] : b.next, '/moderation', DONE[input.action]);
  });

  router.get('/moderation/users', async (req, res) => {
    const user = staff(req, res, 'moderator');
    if (!user) return;
    await membersPage(req, res, user, 200, { q: str(req.query.q), cursor: str(req.query.cursor) }, { flash: flashOf(req) });
  });

  router.post('/moderation/users/:id', form, async (req, res) => {
    const user = staff(req, res, 'moderator');
    if (!user) return;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const until = blank(b.until);
    const removeComments = b.removeComments === 'true' || b.removeComments === 'on';
    const targetId = objectId.parse(req.params.id);
    try {
      const input = moderateUserInput.parse({
        action: str(b.action) ?? '',
        ...(blank(b.reason) ? { reason: blank(b.reason) } : {}),
        // The form's date field sends a date alone: the schema reads it as the end of that day, UTC.
        ...(until ? { until } : {}),
        ...(b.removeComments ? { removeComments } : {}),
        ...(blank(b.role) ? { role: blank(b.role) } : {}),
      });
      await moderateUser(deps, user, targetId, input);
      back(res, b.next, '/moderation/users', DONE[input.action]);
    } catch (err) {
      // What the moderator can fix (a date in the past, no reason, a refused role change): the members page again,
      // the error at that member's form and what they typed kept. No such member, or our own fault: the error page.
      const { status, message } = formRefusal(err, res);
      const q = new URL(safeNext(b.next), 'http://x').searchParams.get('q') || undefined;
      const failed = { userId: targetId, action: str(b.action) ?? '', error: message, reason: str(b.reason), until, removeComments };
      await membersPage(req, res, user, status, { q }, { failed });
    }
  });

  router.get('/moderation/log', async (req, res) => {
    const user = staff(req, res, 'moderator');
    if (!user) return;
    const parsed = pagedQuery.safeParse({ cursor: str(req.query.cursor), limit: 50 });
    const page = await readLog(deps, user, parsed.success ? parsed.data : { limit: 50 });
    sendPage(req, res, store, 200, { title: 'Moderation log' }, <LogPage entries={page.items} nextCursor={page.nextCursor} user={user} />);
  });

  router.get('/admin/settings', (req, res) => {
    const user = staff(req, res, 'admin');
    if (!user) return;
    const saved = req.query.saved === '1' ? 'Settings saved. Every instance uses them within 2 seconds.' : undefined;
    sendPage(req, res, store, 200, { title: 'Moderation settings' }, <SettingsPage settings={getSettings(deps, user)} user={user} flash={saved} />);
  });

  router.post('/admin/settings', form, async (req, res) => {
    const user = staff(req, res, 'admin');
    if (!user) return;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const number = (v: unknown) => (blank(v) === undefined ? NaN : Number(str(v)));
    const sent = {
      premoderation: str(b.premoderation),
      guestPosting: b.guestPosting === 'true' || b.guestPosting === 'on',
      bannedWords: lines(b.bannedWords),
      suspectWords: lines(b.suspectWords),
      maxLinks: number(b.maxLinks),
      flagThreshold: number(b.flagThreshold),
    };
    const parsed = settingsPatch.safeParse(sent);
    if (!parsed.success) {
      // The form again with what the admin sent (a value that cannot be shown keeps the saved one), the error in words.
      const { body } = toErrorBody(parsed.error);
      const saved = getSettings(deps, user);
      const shown = {
        ...sent,
        premoderation: premoderation.safeParse(sent.premoderation).data ?? saved.premoderation,
        maxLinks: Number.isFinite(sent.maxLinks) ? sent.maxLinks : saved.maxLinks,
        flagThreshold: Number.isFinite(sent.flagThreshold) ? sent.flagThreshold : saved.flagThreshold,
      };
      return sendPage(req, res, store, 400, { title: 'Moderation settings' }, <SettingsPage settings={shown} user={user} error={inWords(body.error.code, body.error.message)} />);
    }
    await updateSettings(deps, user, parsed.data);
    res.redirect(303, '/admin/settings?saved=1');
  });

  return router;
}
