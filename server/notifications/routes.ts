// /api/notifications: the signed-in member's replies and mentions, and marking them read.
import { Router } from 'express';
import { markReadInput, pageQuery } from '../../shared/schemas';
import { requireMember } from '../accounts/routes';
import type { ForumDeps } from '../deps';
import { userOf } from '../songs/routes';
import { listNotifications, markRead } from './service';

export function notificationRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/notifications', requireMember, async (req, res) => {
    const { cursor } = pageQuery.parse(req.query);
    res.json(await listNotifications(deps, userOf(req)!.id, cursor));
  });
  r.post('/notifications/read', requireMember, async (req, res) => {
    const { ids } = markReadInput.parse(req.body ?? {});
    res.json({ unread: await markRead(deps, userOf(req)!.id, ids) });
  });
  return r;
}
