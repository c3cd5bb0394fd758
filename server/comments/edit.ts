// Editing and removing a comment: its author (editing within the window; a guest from the browser that posted it)
// or a moderator. A moderator's act on someone else's comment is logged and shown as a moderator's.
import type { EditCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { can } from '../accounts/policy';
import { authoriseAuthor, findComment, policyContext, targetOf } from './access';
import { withReplyContext } from './context';
import { commentModel, type CommentRecord } from './model';
import { publish } from './publish';

type Deps = Pick<ForumDeps, 'db' | 'config' | 'bus' | 'threadCache' | 'settings' | 'threads' | 'logger' | 'moderation'>;

/** Acting on someone else's comment is moderating it (the policy let them do it as a moderator); guests act on their own. */
const asModerator = (user: UserDTO | null, c: CommentRecord): user is UserDTO => !!user && c.author.userId !== user.id;

/**
 * `now` decides the edit window (tests pass it instead of waiting). `body` comes trimmed and within limits.
 * `guestToken`: the secret a guest's browser got with its post, standing in for a member's session.
 */
export async function editComment(deps: Deps, user: UserDTO | null, id: string, input: EditCommentInput, now = new Date(), guestToken?: string | null): Promise<CommentDTO> {
  const c = await findComment(deps, id);
  authoriseAuthor(deps, user, 'comment.edit', c, { refusal: editRefusal(deps, user, c), now, guestToken });
  const byModerator = asModerator(user, c);
  // An edit may not slip in what a post could not; a banned moderator edits nobody's comment either.
  await deps.moderation.refuseBanned(user);
  const edit = { body: input.body, editedAt: now, editedBy: byModerator ? 'moderator' : 'author' };
  if (byModerator) deps.moderation.screenEdit(input.body);
  else {
    // A moderator approved the old text (or nobody had to), not this one: the new text is held as a post's would be.
    const outcome = await deps.moderation.screenAuthorEdit({ body: input.body, userId: c.author.userId ?? null });
    if (outcome.status === 'pending' && c.status === 'visible') {
      // Held with its new text in one write: readers lose the comment and never see that text.
      const held = await deps.moderation.move(c, 'hold', { by: null, set: { ...edit, heldFor: outcome.heldFor.map((why) => `edited: ${why}`) } });
      return (await withReplyContext(deps, [held]))[0];
    }
  }
  // Under the comment's lock: the embedded database writes the whole document back, so a vote's $inc landing between
  // the edit's read and write would be lost.
  const updated = await deps.threads.moveCounters(`comment:${c._id}`, () =>
    commentModel(deps.db.conn).findOneAndUpdate({ _id: c._id, status: c.status }, { $set: edit }, { new: true }).lean<CommentRecord>(),
  );
  if (!updated) throw new Conflict('The comment changed meanwhile; reload it.');
  const [comment] = await withReplyContext(deps, [updated]);
  await publish(deps, 'comment.updated', { comment });
  if (byModerator) await deps.moderation.logAct(user, 'comment.edit', comment.id);
  return comment;
}

/** Why `user` may not edit `c` now, in words, or null when they may: what editComment would answer, asked before. */
export function whyNotEdit(deps: Pick<Deps, 'config' | 'settings'>, user: UserDTO | null, c: CommentRecord, now = new Date()): string | null {
  return can(user, 'comment.edit', policyContext(deps, now), targetOf(c)) ? null : editRefusal(deps, user, c);
}

/** Why an edit is refused, in the words its author needs: the window that closed is theirs to know about. */
function editRefusal(deps: Pick<Deps, 'config'>, user: UserDTO | null, c: CommentRecord): string {
  if (c.status === 'removed') return 'A removed comment cannot be edited.';
  if (c.status === 'rejected') return 'A comment a moderator rejected cannot be edited.';
  const minutes = Math.round(deps.config.editWindowMs / 60_000);
  if (!user || c.author.userId === user.id) return `The edit window has closed: a comment can be edited for ${minutes} minutes after it is posted.`;
  return 'Only its author can edit a comment.';
}

/**
 * Leaves a placeholder (status "removed", body "" in the API) so replies keep their parent; it no longer counts as
 * a visible comment. Removing twice is a no-op.
 */
export async function removeComment(deps: Deps, user: UserDTO | null, id: string, guestToken?: string | null, now = new Date()): Promise<void> {
  const c = await findComment(deps, id);
  const refusal = user ? 'Only its author or a moderator can remove a comment.' : 'A guest can remove their comment only from the browser that posted it, within the edit window.';
  // Removing a removed comment again changes nothing, but only those who could remove it learn that.
  authoriseAuthor(deps, user, 'comment.remove', c.status === 'removed' ? { ...c, status: 'visible' } : c, { refusal, guestToken, now });
  if (c.status === 'removed') return;
  const byModerator = asModerator(user, c);
  // Members may still take back their own comments while banned; a banned moderator removes nobody else's.
  if (byModerator) await deps.moderation.refuseBanned(user);
  await deps.moderation.move(c, 'remove', { by: user, as: byModerator ? 'moderator' : 'author' });
  if (byModerator) await deps.moderation.logAct(user, 'comment.remove', String(c._id));
}
