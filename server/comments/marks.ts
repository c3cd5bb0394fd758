// A signed-in member's own marks on the comments in front of them: their votes and the comments they reported.
// Kept apart from the thread pages every reader shares (those are cached per thread version); the browser asks
// for these separately and the song page carries them in a block of their own. (viewer.ts merges what only a
// viewer may see, such as their held comments, into the page itself.)
import mongoose from 'mongoose';
import type { ViewerMarks, VoteValue } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { flagModel, voteModel } from './model';

export async function viewerMarks(deps: Pick<ForumDeps, 'db'>, userId: string, commentIds: string[]): Promise<ViewerMarks> {
  if (!commentIds.length) return { votes: {}, flagged: [] };
  // Votes and flags are keyed `COMMENTID:USERID`: lookups by _id, served from the index on either database.
  const keys = mongoose.trusted({ $in: [...new Set(commentIds)].map((id) => `${id}:${userId}`) });
  const [votes, flags] = await Promise.all([
    voteModel(deps.db.conn).find({ _id: keys }, { commentId: 1, value: 1 }).lean<{ commentId: unknown; value: number }[]>(),
    flagModel(deps.db.conn).find({ _id: keys }, { commentId: 1 }).lean<{ commentId: unknown }[]>(),
  ]);
  const marks: ViewerMarks = { votes: {}, flagged: flags.map((f) => String(f.commentId)) };
  for (const v of votes) if (v.value) marks.votes[String(v.commentId)] = v.value as VoteValue;
  return marks;
}
