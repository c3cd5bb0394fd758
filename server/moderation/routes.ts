// Thin HTTP adapters for moderation (/api/moderation/*), settings (/api/admin/settings) and picks (/api/picks).
import { Router } from 'express';
import { moderateCommentInput, moderateUserInput, objectId, pagedQuery, queueQuery, settingsPatch, usersQuery } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { userOf } from '../songs/routes';
import { moderateComment } from './actions';
import { readLog } from './log';
import { listPicks } from './picks';
import { listQueue } from './queue';
import { requireRole } from './roles';
import { getSettings, updateSettings } from './settings';
import { listUsers, moderateUser } from './users';

export function moderationRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/moderation/queue', async (req, res) => {
    requireRole(userOf(req), 'moderator');
    res.json(await listQueue(deps, userOf(req), queueQuery.parse(req.query)));
  });
  r.post('/moderation/comments/:id', async (req, res) => {
    requireRole(userOf(req), 'moderator');
    res.json(await moderateComment(deps, userOf(req), objectId.parse(req.params.id), moderateCommentInput.parse(req.body ?? {})));
  });
  r.get('/moderation/users', async (req, res) => {
    requireRole(userOf(req), 'moderator');
    res.json(await listUsers(deps, userOf(req), usersQuery.parse(req.query)));
  });
  r.post('/moderation/users/:id', async (req, res) => {
    requireRole(userOf(req), 'moderator');
    res.json(await moderateUser(deps, userOf(req), objectId.parse(req.params.id), moderateUserInput.parse(req.body ?? {})));
  });
  r.get('/moderation/log', async (req, res) => {
    res.json(await readLog(deps, userOf(req), pagedQuery.parse(req.query)));
  });
  r.get('/admin/settings', (req, res) => {
    res.json(getSettings(deps, userOf(req)));
  });
  r.patch('/admin/settings', async (req, res) => {
    // Who first: a member learns nothing about the settings' shape from a validation error.
    requireRole(userOf(req), 'admin');
    res.json(await updateSettings(deps, userOf(req), settingsPatch.parse(req.body ?? {})));
  });
  r.get('/picks', async (req, res) => {
    res.json(await listPicks(deps, pagedQuery.parse(req.query)));
  });
  return r;
}
