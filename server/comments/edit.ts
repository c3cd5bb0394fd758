// Editing and removing a comment: its author (editing within the window) or a moderator.
import type { EditCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { authoriseAuthor, findComment } from './access';
import { withReplyContext } from './context';
import { commentModel, type CommentRecord } from './model';
import { publish } from './publish';

type Deps = Pick<ForumDeps, 'db' | 'config' | 'bus'>;

/**
 * `now` decides the edit window (tests pass it instead of waiting). `body` comes trimmed and within limits.
 * `guestToken`: the secret a guest's browser got with its post, standing in for a member's session.
 */
export async function editComment(deps: Deps, user: UserDTO | null, id: string, input: EditCommentInput, now = new Date(), guestToken?: string | null): Promise<CommentDTO> {
  const c = await findComment(deps, id);
  const refusal = c.status === 'removed' ? 'A removed comment cannot be edited.' : 'Only its author can edit a comment, within the edit window.';
  authoriseAuthor(deps, user, 'comment.edit', c, { refusal, now, guestToken });
  const updated = await commentModel(deps.db.conn)
    .findOneAndUpdate({ _id: c._id, status: c.status }, { $set: { body: input.body, editedAt: now } }, { new: true })
    .lean<CommentRecord>();
  if (!updated) throw new Conflict('The comment changed meanwhile; reload it.');
  const [comment] = await withReplyContext(deps, [updated]);
  await publish(deps, 'comment.updated', { comment });
  return comment;
}

/**
 * Leaves a placeholder (status "removed", body "" in the API) so replies keep their parent. Counters are not
 * decremented: the placeholder still stands in the thread and its replies still count. Removing twice is a no-op.
 */
export async function removeComment(deps: Deps, user: UserDTO | null, id: string, guestToken?: string | null, now = new Date()): Promise<void> {
  const c = await findComment(deps, id);
  const refusal = user ? 'Only its author or a moderator can remove a comment.' : 'A guest can remove their comment only from the browser that posted it, within the edit window.';
  // Removing a removed comment again changes nothing, but only those who could remove it learn that.
  authoriseAuthor(deps, user, 'comment.remove', c.status === 'removed' ? { ...c, status: 'visible' } : c, { refusal, guestToken, now });
  if (c.status === 'removed') return;
  const res = await commentModel(deps.db.conn).updateOne({ _id: c._id, status: c.status }, { $set: { status: 'removed', removedAt: new Date(), removedBy: user?.id ?? 'guest' } });
  if (!res.modifiedCount) return;
  await publish(deps, 'comment.removed', { id: String(c._id), songId: String(c.songId) });
}
