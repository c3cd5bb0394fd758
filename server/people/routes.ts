// /api/users/:username (a member's public profile) and their comments; PATCH /api/auth/me (their settings).
import { Router } from 'express';
import { pageQuery, updateMeInput } from '../../shared/schemas';
import { requireMember } from '../accounts/routes';
import type { ForumDeps } from '../deps';
import { getProfile, listMemberComments } from './profile';
import { updateSettings } from './settings';

export function peopleRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/users/:username', async (req, res) => {
    res.json(await getProfile(deps, req.params.username));
  });
  r.get('/users/:username/comments', async (req, res) => {
    const { cursor } = pageQuery.parse(req.query);
    res.json(await listMemberComments(deps, req.params.username, cursor));
  });
  // The member's display name and place: people/ owns them (a rename reaches their comments), under the account's path.
  r.patch('/auth/me', requireMember, async (req, res) => {
    const input = updateMeInput.parse(req.body ?? {});
    res.json(await updateSettings(deps, req.user!.id, input));
  });
  return r;
}
