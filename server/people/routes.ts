// /api/users/:username (a member's public profile) and their comments.
import { Router } from 'express';
import { pageQuery } from '../../shared/schemas';
import type { ForumDeps } from '../deps';
import { getProfile, listMemberComments } from './profile';

export function peopleRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/users/:username', async (req, res) => {
    res.json(await getProfile(deps, req.params.username));
  });
  r.get('/users/:username/comments', async (req, res) => {
    const { cursor } = pageQuery.parse(req.query);
    res.json(await listMemberComments(deps, req.params.username, cursor));
  });
  return r;
}
