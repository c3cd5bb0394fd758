// Every collection's model, and the one step that builds their indexes before a process writes: the unique ones
// (song slug, idempotency keys, one vote/flag per member, usernames) must exist before the writes that rely on
// them, and autoIndex would build them in the background. forum.ts and the CLI commands run it once at start.
import type { Connection } from 'mongoose';
import { credentialModel, userModel } from './accounts/model';
import { commentModel, flagModel, postKeyModel, threadPositionModel, voteModel } from './comments/model';
import { moderationModels } from './moderation/model';
import { notificationModel } from './notifications/model';
import { songModel } from './songs/model';

export async function prepareCollections(conn: Connection): Promise<void> {
  const models = [songModel, commentModel, voteModel, flagModel, postKeyModel, threadPositionModel, userModel, credentialModel, notificationModel, ...moderationModels];
  await Promise.all(models.map((model) => model(conn).init()));
}
