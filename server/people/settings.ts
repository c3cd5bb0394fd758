// A member's settings: display name and location. A new display name or location is written onto the member's
// comments (author.name, author.location) and each thread they wrote in is told, so every page, cache and live reader
// shows the current one (someone who clears their location for privacy finds it gone everywhere).
//
// Why rewrite rather than resolve names at read time: a thread page is read far more often than a name changes,
// the embedded database would need a second lookup per page for the names, and the page cache (keyed by the
// thread's version) stays exact because the rename is announced through publish.ts like any other thread write.
import mongoose from 'mongoose';
import type { UpdateMeInput } from '../../shared/schemas';
import type { UserDTO } from '../../shared/types';
import { findUserById, updateProfile } from '../accounts/service';
import { commentModel } from '../comments/model';
import { publish } from '../comments/publish';
import type { ForumDeps } from '../deps';

type Deps = Pick<ForumDeps, 'db' | 'bus' | 'threadCache' | 'logger' | 'repairs' | 'memberCache' | 'limits' | 'moderation'>;

export async function updateSettings(deps: Deps, userId: string, input: UpdateMeInput): Promise<UserDTO> {
  const before = await findUserById(deps, userId);
  const renames = (b: Pick<UserDTO, 'displayName' | 'location'>) =>
    (input.displayName !== undefined && input.displayName !== b.displayName) || (input.location !== undefined && (input.location || null) !== (b.location ?? null));
  // A new display name or location rewrites every comment of the member: such changes are budgeted, and a banned
  // member (who may no longer change what their comments say) may not.
  if (before && renames(before)) {
    await deps.moderation.refuseBanned(before);
    await deps.limits.act('rename', userId);
  }
  const user = await updateProfile(deps, userId, input);
  if (before && (before.displayName !== user.displayName || (before.location ?? null) !== (user.location ?? null))) await renameAuthor(deps, user.id, user.displayName, user.location ?? null);
  return user;
}

/**
 * Every comment of the member reads `name` and `location` (a rare action; the member's comments are found by the
 * author.userId index).
 */
export async function renameAuthor(deps: Deps, userId: string, name: string, location: string | null): Promise<void> {
  const Comments = commentModel(deps.db.conn);
  const songIds = (await Comments.distinct('songId', { 'author.userId': userId })) as mongoose.Types.ObjectId[];
  if (!songIds.length) return;
  await Comments.updateMany({ 'author.userId': userId }, { $set: { 'author.name': name, 'author.location': location } });
  for (const songId of songIds) {
    // The embedded database writes each document back whole, outside the comments' locks: a vote moving one of them
    // meanwhile could be lost, so their threads are recounted (the score set again from the votes).
    deps.repairs.markDirty(songId);
    await publish(deps, 'comment.author-renamed', { songId: String(songId), userId, name, location });
  }
}
