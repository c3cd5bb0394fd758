// Thin HTTP adapters for threads and comments: validate with the shared schemas, call the service, send the DTO.
import { Router, type Request } from 'express';
import { editCommentInput, flagInput, guestToken, mineQuery, objectId, postCommentInput, repliesQuery, threadQuery, voteInput } from '../../shared/schemas';
import { requireMember } from '../accounts/routes';
import type { ForumDeps } from '../deps';
import { apiRoute, sendCached } from '../cache';
import { songIdBySlug } from '../songs/service';
import { userOf } from '../songs/routes';
import { editComment, removeComment } from './edit';
import { postComment } from './post';
import { flagComment, voteComment } from './reactions';
import { listReplies } from './replies';
import { listThread } from './thread';
import { viewerMarks } from './marks';

/** A guest's edit secret, sent as `X-Guest-Token` (a malformed one is a 400). */
const guestTokenOf = (req: Request) => {
  const raw = req.get('x-guest-token');
  return raw === undefined ? null : guestToken.parse(raw);
};

const JSON_TYPE = 'application/json; charset=utf-8';
/** Readers' pages change with every write: a browser asks again each time (a 304 while unchanged). */
const API_CACHE_CONTROL = 'no-cache';

export function commentRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/songs/:slug/comments', async (req, res) => {
    const query = threadQuery.parse(req.query);
    const user = userOf(req);
    // A reader's page is the one every reader shares: kept as bytes per thread version. A member's carries their
    // own held comments (and a moderator's, flags), so it is read each time.
    if (!user) {
      const slug = req.params.slug;
      const variant = `api\n${query.sort}\n${query.limit}\n${query.cursor ?? ''}\n${query.after ?? ''}`;
      const threadId = String(await songIdBySlug(deps, slug));
      const page = await deps.threadCache.page(threadId, variant, async () => ({ type: JSON_TYPE, body: JSON.stringify(await listThread(deps, slug, query, null)) }));
      if (page) {
        // The next request with this URL is answered before the app while the page stays current (http/hot-reads.ts).
        deps.threadCache.remember(apiRoute(req.originalUrl), threadId, variant, { cacheControl: API_CACHE_CONTROL });
        return sendCached(req, res, page, API_CACHE_CONTROL);
      }
    }
    res.json(await listThread(deps, req.params.slug, query, user));
  });
  r.post('/songs/:slug/comments', async (req, res) => {
    const { author, ...input } = postCommentInput.parse(req.body ?? {});
    const poster = { user: userOf(req), ip: req.ip ?? 'unknown', guest: author };
    const { comment, created } = await postComment(deps, poster, req.params.slug, input);
    res.status(created ? 201 : 200).json(comment);
  });
  r.patch('/comments/:id', async (req, res) => {
    const id = objectId.parse(req.params.id);
    res.json(await editComment(deps, userOf(req), id, editCommentInput.parse(req.body ?? {}), new Date(), guestTokenOf(req)));
  });
  r.delete('/comments/:id', async (req, res) => {
    await removeComment(deps, userOf(req), objectId.parse(req.params.id), guestTokenOf(req));
    res.status(204).end();
  });
  // The signed-in member's own votes and reports among the given comments (kept apart from shared pages).
  r.get('/comments/mine', requireMember, async (req, res) => {
    const { ids } = mineQuery.parse(req.query);
    res.set('Cache-Control', 'private, no-store').json(await viewerMarks(deps, userOf(req)!.id, ids));
  });
  r.get('/comments/:id/replies', async (req, res) => {
    res.json(await listReplies(deps, objectId.parse(req.params.id), repliesQuery.parse(req.query)));
  });
  r.post('/comments/:id/votes', async (req, res) => {
    const id = objectId.parse(req.params.id);
    const { value } = voteInput.parse(req.body ?? {});
    res.json(await voteComment(deps, userOf(req), id, value));
  });
  r.post('/comments/:id/flags', async (req, res) => {
    const id = objectId.parse(req.params.id);
    await flagComment(deps, userOf(req), id, flagInput.parse(req.body ?? {}));
    res.status(202).end();
  });
  return r;
}
