// A moderator's actions on a comment (POST /api/moderation/comments/:id, the queue's and song page's forms):
// status changes through the transitions table, featuring, dismissing flags; each one logged.
import type { ModerateCommentInput } from '../../shared/schemas';
import type { CommentDTO, UserDTO } from '../../shared/types';
import { findComment } from '../comments/access';
import { toCommentDTO } from '../comments/dto';
import { commentModel, type CommentRecord } from '../comments/model';
import { publish } from '../comments/publish';
import type { ForumDeps } from '../deps';
import { Conflict } from '../errors';
import { refuseBanned } from './bans';
import { recordAction } from './log';
import { savePick } from './picks';
import { flagsOf, syncQueue } from './queue';
import { requireRole } from './roles';
import { dismissFlags, moveComment, type MoveDeps } from './transitions';

type Deps = MoveDeps & Pick<ForumDeps, 'memberCache'>;

export async function moderateComment(deps: Deps, actor: UserDTO | null, id: string, input: ModerateCommentInput): Promise<CommentDTO> {
  requireRole(actor, 'moderator');
  // A moderator an admin has banned moderates no more than they post.
  await refuseBanned(deps, actor);
  const c = await findComment(deps, id);
  // Acted on as the moderator saw it, or not at all: two moderators on one queue item must not both succeed (an approve
  // and a reject would each read "done", and the comment end as the later one made it). The move itself is conditional
  // on the status read here (transitions.ts), so a change between the two is a conflict too.
  if (input.from && c.status !== input.from) throw new Conflict(`Another moderator got there first: this comment is ${c.status} now. Nothing was changed.`);
  const updated = await act(deps, actor, c, input.action);
  await recordAction(deps, actor, `comment.${input.action}`, { kind: 'comment', id: String(c._id) }, input.reason);
  return withFlags(deps, updated);
}

async function act(deps: Deps, actor: UserDTO, c: CommentRecord, action: ModerateCommentInput['action']): Promise<CommentRecord> {
  switch (action) {
    case 'approve': {
      // Approved as it stands: the flags that held it are answered, so the next flag does not hold it again.
      return moveComment(deps, c, 'approve', { by: actor, set: { heldFor: [] }, dismissFlags: true });
    }
    case 'reject':
      return moveComment(deps, c, 'reject', { by: actor });
    case 'restore':
      return moveComment(deps, c, 'restore', { by: actor });
    case 'feature':
    case 'unfeature':
      return feature(deps, c, action === 'feature');
    case 'dismiss-flags': {
      if (c.status !== 'visible' && c.status !== 'pending') throw new Conflict(`A ${c.status} comment has no flags to dismiss.`, 'INVALID_TRANSITION');
      // The flags dismissed and the count set to none in one turn of the comment's lock, where a flag moves its record
      // and its count (comments/reactions.ts) and a recount sets the count from the flags: none falls between them.
      const cleared = await deps.threads.moveCounters(`comment:${c._id}`, async () => {
        await dismissFlags(deps, c);
        return commentModel(deps.db.conn).findOneAndUpdate({ _id: c._id }, { $set: { flagCount: 0 } }, { new: true }).lean<CommentRecord>();
      });
      // Not news to readers, but the comment's record changed: records kept of it are read again.
      await deps.threadCache.threadChanged(String(c.songId), [String(c._id)]);
      await syncQueue(deps, cleared ?? c);
      return cleared ?? c;
    }
  }
}

/** Only a visible comment can become a pick; unfeaturing is always allowed. Readers see the badge change live. */
async function feature(deps: Deps, c: CommentRecord, featured: boolean): Promise<CommentRecord> {
  if (featured && c.status !== 'visible') throw new Conflict(`A ${c.status} comment cannot be an editor's pick.`, 'INVALID_TRANSITION');
  // Under the comment's lock: the embedded database writes the whole document back (a vote's $inc between its read and
  // write would be lost), and the pick record follows the flag in the same turn (two moderators' picks never cross).
  const updated = await deps.threads.moveCounters(`comment:${c._id}`, async () => {
    const written = await commentModel(deps.db.conn).findOneAndUpdate({ _id: c._id }, { $set: { featured } }, { new: true }).lean<CommentRecord>();
    if (written) await savePick(deps, written, featured);
    return written;
  });
  if (!updated) throw new Conflict('The comment changed meanwhile; reload it.');
  if (updated.featured !== !!c.featured) await publish(deps, 'comment.updated', { comment: toCommentDTO(updated) });
  return updated;
}

/** A moderator's view of a comment: its text even when rejected, and its flags. */
export async function withFlags(deps: Pick<ForumDeps, 'db'>, c: CommentRecord): Promise<CommentDTO> {
  const flags = (await flagsOf(deps, [c._id])).get(String(c._id));
  return { ...toCommentDTO(c), flags: flags ?? { count: 0, reasons: [] } };
}
