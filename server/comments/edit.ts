// Editing and removing a comment: its author (editing within the window) or a moderator.
import type { EditCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { authorise, findComment } from './access';
import { toCommentDTO } from './dto';
import { commentModel, type CommentRecord } from './model';
import { publish } from './publish';

type Deps = Pick<ForumDeps, 'db' | 'config' | 'bus'>;

/** `now` decides the edit window (tests pass it instead of waiting). `body` comes trimmed and within limits. */
export async function editComment(deps: Deps, user: UserDTO | null, id: string, input: EditCommentInput, now = new Date()): Promise<CommentDTO> {
  const c = await findComment(deps, id);
  const refusal = c.status === 'removed' ? 'A removed comment cannot be edited.' : 'Only its author can edit a comment, within the edit window.';
  authorise(deps, user, 'comment.edit', c, { refusal, now });
  const updated = await commentModel(deps.db.conn)
    .findOneAndUpdate({ _id: c._id, status: c.status }, { $set: { body: input.body, editedAt: now } }, { new: true })
    .lean<CommentRecord>();
  if (!updated) throw new Conflict('The comment changed meanwhile; reload it.');
  const comment = toCommentDTO(updated);
  await publish(deps, 'comment.updated', { comment });
  return comment;
}

/**
 * Leaves a placeholder (status "removed", body "" in the API) so replies keep their parent. Counters are not
 * decremented: the placeholder still stands in the thread and its replies still count. Removing twice is a no-op.
 */
export async function removeComment(deps: Deps, user: UserDTO | null, id: string): Promise<void> {
  const c = await findComment(deps, id);
  const refusal = 'Only its author or a moderator can remove a comment.';
  // Removing a removed comment again changes nothing, but only those who could remove it learn that.
  authorise(deps, user, 'comment.remove', c.status === 'removed' ? { ...c, status: 'visible' } : c, { refusal });
  if (c.status === 'removed') return;
  const res = await commentModel(deps.db.conn).updateOne({ _id: c._id, status: c.status }, { $set: { status: 'removed', removedAt: new Date(), removedBy: user.id } });
  if (!res.modifiedCount) return;
  await publish(deps, 'comment.removed', { id: String(c._id), songId: String(c.songId) });
}
