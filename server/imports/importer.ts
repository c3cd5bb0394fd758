// Imported song pages into the database: the song (matched by its slug) and the page's comments not there yet.
// Its own folder: it writes songs and comments both, and neither songs/ nor comments/ may depend on the other way.
import { createHash } from 'node:crypto';
import type { SongDTO } from '../../shared/types';
import { insertThreadComment } from '../comments/post';
import { isDuplicateKey } from '../db/connection';
import type { ForumDeps } from '../deps';
import type { ParsedSongPage } from '../songs/import';
import { markSongsChanged } from '../songs/activity-order';
import { songModel, type SongRecord } from '../songs/model';
import { toSongDTO } from '../songs/service';
import { searchKeyOf, slugify } from '../songs/text';

type Deps = Pick<ForumDeps, 'db' | 'threads' | 'repairs' | 'threadCache'> & Partial<Pick<ForumDeps, 'logger'>>;

/**
 * Creates or updates the song of an imported page and adds the page's comments that are not there yet: each
 * imported comment's idempotency key is a hash of slug, name and text, so re-importing adds nothing.
 */
export async function upsertSongFromPage(deps: Deps, page: ParsedSongPage): Promise<{ song: SongDTO; created: boolean; comments: number }> {
  const Songs = songModel(deps.db.conn);
  const slug = slugify(page.artist, page.title);
  const fields = {
    title: page.title,
    artist: page.artist,
    featuring: page.featuring,
    album: page.album,
    year: page.year,
    charts: page.charts,
    facts: page.facts,
    searchKey: searchKeyOf(page),
  };
  const existing = await Songs.findOne({ slug }).lean<SongRecord>();
  const now = new Date();
  let created = false;
  if (existing) await Songs.updateOne({ _id: existing._id }, { $set: fields });
  else {
    try {
      await Songs.create({ ...fields, slug, commentCount: 0, lastSeq: 0, lastCommentAt: null, activityAt: now, createdAt: now });
      created = true;
    } catch (err) {
      // Another import of this page (a second instance loading the demo as it starts) made the song first: update it.
      if (!isDuplicateKey(err)) throw err;
      await Songs.updateOne({ slug }, { $set: fields });
    }
  }
  const song = (await Songs.findOne({ slug }).lean<SongRecord>())!;

  const added = await importComments(deps, song, page.comments);
  // The song's facts and comments changed without a post: its cached pages must go, and song lists read it again.
  await deps.threadCache.threadChanged(String(song._id), 'all');
  await markSongsChanged(deps.db.conn);
  const fresh = (await Songs.findOne({ _id: song._id }).lean<SongRecord>())!;
  return { song: toSongDTO(fresh, true), created, comments: added };
}

/** Adds the page's comments not already there, in page order; answers how many were added. */
async function importComments(deps: Deps, song: Pick<SongRecord, '_id' | 'slug'>, comments: ParsedSongPage['comments']): Promise<number> {
  let added = 0;
  for (const c of comments) {
    const key = 'import:' + createHash('sha256').update(`${song.slug}\u0000${c.name}\u0000${c.body}`).digest('base64url');
    // Imported comments were published on the page they come from: they are visible, the pipeline aside.
    const fields = { parentId: null, author: { name: c.name, location: c.location, userId: null }, body: c.body, clientId: null, status: 'visible' as const };
    if ((await insertThreadComment(deps, song, fields, key)).created) added++;
  }
  return added;
}
