// Songs' search keys follow searchKeyOf: when what it covers changes (v2 added the album), the keys of songs stored
// before are recomputed once, at start-up, and a marker records that it was done so later starts skip the walk.
import type { Connection } from 'mongoose';
import { markSongsChanged } from './activity-order';
import { songModel, type SongRecord } from './model';
import { searchKeyOf } from './text';

/** Bump when searchKeyOf covers something new. */
export const SEARCH_KEY_VERSION = 2;
const MARKER = 'songs.searchKey';

export async function refreshSearchKeys(conn: Connection): Promise<number> {
  const meta = conn.collection<{ _id: string; version: number }>('meta');
  const marker = await meta.findOne({ _id: MARKER });
  if ((marker?.version ?? 1) >= SEARCH_KEY_VERSION) return 0;
  let changed = 0;
  const Songs = songModel(conn);
  for await (const s of Songs.find({}, { title: 1, artist: 1, featuring: 1, album: 1, searchKey: 1 }).lean<SongRecord[]>().cursor()) {
    const key = searchKeyOf(s);
    if (key === s.searchKey) continue;
    await Songs.updateOne({ _id: s._id }, { $set: { searchKey: key } });
    changed++;
  }
  await meta.updateOne({ _id: MARKER }, { $set: { version: SEARCH_KEY_VERSION } }, { upsert: true });
  if (changed) await markSongsChanged(conn);
  return changed;
}
