// One-off upkeep at start-up. Before moderation, a song's commentCount counted removed comments too; now it counts
// visible comments only. One aggregation over the comments (a single scan), once per database, recorded in the
// settings document so later starts skip it.
import type { ForumDeps } from '../deps';
import { commentModel } from '../comments/model';
import { songModel, type SongRecord } from '../songs/model';
import { markUpkeep, upkeepDone } from './settings';

const STEP = 'visible-comment-counts';

export async function recountVisibleOnce(deps: Pick<ForumDeps, 'db' | 'logger'>): Promise<void> {
  if (await upkeepDone(deps, STEP)) return;
  const Songs = songModel(deps.db.conn);
  const counted = await commentModel(deps.db.conn).aggregate<{ _id: unknown; n: number }>([{ $match: { status: 'visible' } }, { $group: { _id: '$songId', n: { $sum: 1 } } }]);
  const visible = new Map(counted.map((r) => [String(r._id), r.n]));
  const songs = await Songs.find({}, { commentCount: 1 }).lean<Pick<SongRecord, '_id' | 'commentCount'>[]>();
  let fixed = 0;
  for (const s of songs) {
    const want = visible.get(String(s._id)) ?? 0;
    if ((s.commentCount ?? 0) === want) continue;
    await Songs.updateOne({ _id: s._id }, { $set: { commentCount: want } });
    fixed++;
  }
  await markUpkeep(deps, STEP);
  if (fixed) deps.logger.info({ songs: fixed }, 'comment counts now count visible comments only');
}
