// The thread's acts without JavaScript: reply, vote and report as plain forms, and a member's edit and delete of their
// own comments, through the same services as the API. Each form's address also answers GET (its page), so a reload never lands on a 404; a success redirects
// (303) to the comment's permalink, a failure renders the form again with the error beside it, in words.
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { editCommentInput, flagInput, objectId, postCommentInput, voteValue } from '../../shared/schemas';
import { isGuest, nameAsText } from '../../client/components/GuestLabel';
import { DeletePage, EditPage, ReplyPage, ReportPage } from '../../client/pages/ThreadFormPages';
import { findComment } from '../comments/access';
import type { CommentRecord } from '../comments/model';
import { withReplyContext } from '../comments/context';
import { editComment, removeComment, whyNotEdit } from '../comments/edit';
import { postComment } from '../comments/post';
import { flagComment, voteComment } from '../comments/reactions';
import { LISTED } from '../comments/thread';
import type { ForumDeps } from '../deps';
import { notFound } from '../http/errors';
import { formToken, renderedAt } from '../moderation/pipeline/formToken';
import { getSong } from '../songs/service';
import type { AssetStore } from './assets';
import { currentUser, formRefusal, sendPage } from './render';
import { idempotencyKeyOf, permalink, renderSong } from './songPages';

const form = express.urlencoded({ extended: false, limit: '64kb' });
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const blank = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);

export function threadFormRoutes(deps: ForumDeps, store: AssetStore): Router {
  const router = Router();

  /**
   * The song and the comment of a form's URL: 404 for one of another song, or one `may` refuses (by default, one
   * readers cannot see).
   */
  const target = async (req: Request, may: (c: CommentRecord) => boolean = (c) => LISTED.includes(c.status), missing = 'No such comment.') => {
    const id = objectId.safeParse(req.params.id);
    if (!id.success) throw notFound(missing);
    const song = await getSong(deps, String(req.params.slug));
    const c = await findComment(deps, id.data);
    if (String(c.songId) !== song.id || !may(c)) throw notFound(missing);
    const [comment] = await withReplyContext(deps, [c]);
    return { song, comment, record: c };
  };
  const signIn = (req: Request, res: Response, back: string) => res.redirect(303, `/login?next=${encodeURIComponent(back)}`);

  const reply = async (req: Request, res: Response, status: number, draft?: { body: string; name?: string; location?: string; error: string }) => {
    const { song, comment } = await target(req);
    const title = `Reply to ${nameAsText(comment.author.name, isGuest(comment.author))}`;
    const user = currentUser(req);
    const guestPosting = deps.settings.current().guestPosting;
    // As the song page's form: a clientId so a resubmitted form posts once, and guests' signed render time.
    const token = !user && guestPosting ? formToken(deps.config.sessionSecret) : undefined;
    sendPage(req, res, store, status, { title, here: permalink(song.slug, comment.id) }, <ReplyPage song={song} comment={comment} now={Date.now()} user={user} guestPosting={guestPosting} draft={draft} clientId={randomUUID()} formToken={token} />);
  };
  router.get('/songs/:slug/c/:id/reply', (req, res) => reply(req, res, 200));
  router.post('/songs/:slug/c/:id/reply', form, async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const user = currentUser(req);
    const slug = String(req.params.slug);
    const guest = !user && (blank(b.name) || deps.settings.current().guestPosting) ? { name: str(b.name), ...(blank(b.location) ? { location: str(b.location) } : {}) } : undefined;
    // The guests' bot check, as on the song page's form: the hidden field left empty, the signed render time.
    const botCheck = user ? null : { trap: str(b.website), renderedAt: renderedAt(deps.config.sessionSecret, b.formToken) };
    try {
      const input = postCommentInput.parse({ body: str(b.body), parentId: String(req.params.id), clientId: idempotencyKeyOf(b), author: guest });
      const { comment } = await postComment(deps, { user, ip: req.ip ?? 'unknown', guest: input.author, form: botCheck }, slug, input);
      res.redirect(303, `${permalink(slug, comment.id)}#c-${comment.id}`);
    } catch (err) {
      const f = formRefusal(err, res);
      await reply(req, res, f.status, { body: str(b.body), name: str(b.name), location: str(b.location), error: f.message });
    }
  });

  const report = async (req: Request, res: Response, status: number, draft?: { reason: string; error: string }) => {
    const { song, comment } = await target(req);
    const own = !!comment.author.userId && comment.author.userId === currentUser(req)?.id;
    sendPage(req, res, store, status, { title: `Report a comment by ${comment.author.name}` }, <ReportPage song={song} comment={comment} now={Date.now()} draft={draft} own={own} />);
  };
  router.get('/songs/:slug/c/:id/report', (req, res) => (currentUser(req) ? report(req, res, 200) : signIn(req, res, req.originalUrl)));
  router.post('/songs/:slug/c/:id/report', form, async (req, res) => {
    const reason = str((req.body as Record<string, unknown> | undefined)?.reason);
    if (!currentUser(req)) return signIn(req, res, `/songs/${String(req.params.slug)}/c/${String(req.params.id)}/report`);
    try {
      await flagComment(deps, currentUser(req), String(req.params.id), flagInput.parse({ reason }));
      // Back to the comment, told the report was received (the page without the script has no button to say so).
      res.redirect(303, `${permalink(String(req.params.slug), String(req.params.id))}?reported=1#c-${String(req.params.id)}`);
    } catch (err) {
      const f = formRefusal(err, res);
      await report(req, res, f.status, { reason, error: f.message });
    }
  });

  /**
   * A member's own comment to edit or delete (a moderator's tools for others' are the moderation pages): also one of
   * theirs readers cannot see (held for review); anyone else's, or one not theirs to see, is no such comment.
   */
  const own = async (req: Request, removedToo = false) => {
    const user = currentUser(req)!;
    const found = await target(req, (c) => c.author.userId === user.id && (c.status !== 'removed' || removedToo), 'No such comment of yours.');
    return { ...found, user };
  };
  const back = (req: Request) => `${permalink(String(req.params.slug), String(req.params.id))}#c-${String(req.params.id)}`;

  const edit = async (req: Request, res: Response, status: number, draft?: { body: string; error: string }) => {
    const { song, comment, record, user } = await own(req);
    const closed = whyNotEdit(deps, user, record) ?? undefined;
    sendPage(req, res, store, status, { title: 'Edit your comment', here: permalink(song.slug, comment.id) }, <EditPage song={song} comment={comment} now={Date.now()} draft={draft} closed={closed} />);
  };
  router.get('/songs/:slug/c/:id/edit', (req, res) => (currentUser(req) ? edit(req, res, 200) : signIn(req, res, req.originalUrl)));
  router.post('/songs/:slug/c/:id/edit', form, async (req, res) => {
    if (!currentUser(req)) return signIn(req, res, req.originalUrl);
    const body = str((req.body as Record<string, unknown> | undefined)?.body);
    try {
      await own(req);
      await editComment(deps, currentUser(req), String(req.params.id), editCommentInput.parse({ body }));
      res.redirect(303, back(req));
    } catch (err) {
      const f = formRefusal(err, res);
      await edit(req, res, f.status, { body, error: f.message });
    }
  });

  const remove = async (req: Request, res: Response, status: number, error?: string) => {
    const { song, comment } = await own(req);
    sendPage(req, res, store, status, { title: 'Delete your comment?', here: permalink(song.slug, comment.id) }, <DeletePage song={song} comment={comment} now={Date.now()} error={error} />);
  };
  router.get('/songs/:slug/c/:id/delete', (req, res) => (currentUser(req) ? remove(req, res, 200) : signIn(req, res, req.originalUrl)));
  router.post('/songs/:slug/c/:id/delete', form, async (req, res) => {
    if (!currentUser(req)) return signIn(req, res, req.originalUrl);
    try {
      // Sent twice (a reload, a double press): the second finds it removed already and lands where the first did.
      await own(req, true);
      await removeComment(deps, currentUser(req), String(req.params.id));
      res.redirect(303, back(req));
    } catch (err) {
      const f = formRefusal(err, res);
      await remove(req, res, f.status, f.message);
    }
  });

  // A vote is one button, pressed as the script's is (again, it takes the vote back); its address answers GET with the
  // comment's page. The member lands on a page made for them (`voted` is not a kept page's), their votes pressed.
  router.get('/songs/:slug/c/:id/vote', (req, res) => renderSong(deps, store, req, res, { at: String(req.params.id) }));
  router.post('/songs/:slug/c/:id/vote', form, async (req, res) => {
    const at = String(req.params.id);
    const back = `${permalink(String(req.params.slug), at)}#c-${at}`;
    if (!currentUser(req)) return signIn(req, res, back);
    try {
      const value = voteValue.parse(Number(str((req.body as Record<string, unknown> | undefined)?.value)));
      await voteComment(deps, currentUser(req), at, value, 'press');
      res.redirect(303, `${permalink(String(req.params.slug), at)}?voted=1#c-${at}`);
    } catch (err) {
      const f = formRefusal(err, res);
      await renderSong(deps, store, req, res, { at, status: f.status, notice: `Your vote was not counted: ${f.message}` });
    }
  });

  return router;
}
