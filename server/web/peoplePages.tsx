// People's pages: a member's profile (/users/:username), their settings (/settings: name and place, password) and
// their notifications (/notifications). Plain forms without JavaScript, the same services as the API.
import express, { Router, type Request, type Response } from 'express';
import { changePasswordInput, updateMeInput } from '../../shared/schemas';
import { inWords } from '../../shared/words';
import { NotificationsPage, ProfilePage, SettingsPage, type SettingsProps } from '../../client/pages/PeoplePages';
import { keepSession } from '../accounts/routes';
import { changePassword } from '../accounts/password-change';
import { findUserById } from '../accounts/service';
import { decodeCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { notFound, toErrorBody } from '../http/errors';
import { listNotifications, markRead, openNotification } from '../notifications/service';
import { slugOfSong } from '../songs/service';
import { getProfile, listMemberComments } from '../people/profile';
import { updateSettings } from '../people/settings';
import type { AssetStore } from './assets';
import { currentUser, sendPage } from './render';
import { permalink } from './songPages';

const form = express.urlencoded({ extended: false, limit: '16kb' });
const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** A cursor from a page's query, or none when it is missing or forged (the first page then). */
const cursorOf = (req: Request, ordering: string) => {
  const raw = req.query.cursor;
  if (typeof raw !== 'string') return undefined;
  try {
    decodeCursor(raw, ordering);
    return raw;
  } catch {
    return undefined;
  }
};

export function peoplePageRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();
  const signIn = (req: Request, res: Response) => res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);

  router.get('/users/:username', async (req, res) => {
    const profile = await getProfile(deps, String(req.params.username));
    const comments = await listMemberComments(deps, profile.username, cursorOf(req, 'member-comments'));
    sendPage(req, res, store, 200, { title: `${profile.displayName} (@${profile.username})`, description: `${profile.displayName} on Chorus.` }, <ProfilePage profile={profile} comments={comments} now={Date.now()} editWindowMs={currentUser(req)?.id === profile.id ? deps.config.editWindowMs : undefined} />);
  });
  // Comments know their author's id: author names link here, and land on the profile.
  router.get('/members/:id', async (req, res) => {
    const user = await findUserById(deps, String(req.params.id));
    if (!user) throw notFound('No such member.');
    res.redirect(301, `/users/${encodeURIComponent(user.username)}`);
  });

  const settings = (req: Request, res: Response, status: number, p: Omit<SettingsProps, 'user'>) =>
    sendPage(req, res, store, status, { title: 'Settings' }, <SettingsPage user={currentUser(req)!} {...p} />);
  router.get('/settings', (req, res) => {
    if (!currentUser(req)) return signIn(req, res);
    settings(req, res, 200, { saved: req.query.saved === 'profile' ? 'profile' : req.query.saved === 'password' ? 'password' : undefined });
  });
  router.post('/settings', form, async (req, res) => {
    if (!currentUser(req)) return signIn(req, res);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const values = { displayName: str(b.displayName), location: str(b.location) };
    const parsed = updateMeInput.safeParse({ displayName: values.displayName, location: values.location });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const i of parsed.error.issues) errors[String(i.path[0])] ??= inWords('VALIDATION', `${i.path.join('.')}: ${i.message}`);
      return settings(req, res, 400, { values, errors });
    }
    await updateSettings(deps, currentUser(req)!.id, parsed.data);
    res.redirect(303, '/settings?saved=profile');
  });
  router.post('/settings/password', form, async (req, res) => {
    if (!currentUser(req)) return signIn(req, res);
    const b = (req.body ?? {}) as Record<string, unknown>;
    try {
      const input = changePasswordInput.parse({ currentPassword: str(b.currentPassword), newPassword: str(b.newPassword) });
      if (str(b.confirmPassword) !== input.newPassword) return settings(req, res, 400, { passwordErrors: { confirmPassword: 'The two new passwords are not the same.' } });
      await changePassword(deps, currentUser(req)!.id, input, keepSession(req));
      res.redirect(303, '/settings?saved=password');
    } catch (err) {
      const { status, body } = toErrorBody(err);
      if (status >= 500) throw err;
      const field = body.error.code === 'INVALID_CREDENTIALS' ? 'currentPassword' : 'newPassword';
      // A form the member can correct: 400, also for a wrong current password (they are signed in; 401 would say not).
      settings(req, res, status === 401 ? 400 : status, { passwordErrors: { [field]: inWords(body.error.code, body.error.message) } });
    }
  });
  router.get('/settings/password', (req, res) => res.redirect(303, '/settings'));

  router.get('/notifications', async (req, res) => {
    const user = currentUser(req);
    if (!user) return signIn(req, res);
    const page = await listNotifications(deps, user.id, cursorOf(req, 'notifications'));
    sendPage(req, res, store, 200, { title: 'Notifications' }, <NotificationsPage page={page} now={Date.now()} />);
  });
  router.post('/notifications/read', form, async (req, res) => {
    const user = currentUser(req);
    if (!user) return signIn(req, res);
    await markRead(deps, user.id);
    res.redirect(303, '/notifications');
  });
  router.get('/notifications/read', (_req, res) => res.redirect(303, '/notifications'));
  // A notification followed from the list: read now, then its comment in its thread.
  router.get('/notifications/:id', async (req, res) => {
    const user = currentUser(req);
    if (!user) return signIn(req, res);
    const opened = await openNotification(deps, user.id, String(req.params.id));
    const slug = opened && (await slugOfSong(deps, opened.songId));
    if (!opened || !slug) throw notFound('No such notification.');
    const id = String(opened.commentId);
    res.redirect(303, `${permalink(slug, id)}#c-${id}`);
  });

  return router;
}
