// Demo songs (written for this project, in the song-page text format) loaded when the songs collection is empty,
// so a fresh `npm start` shows a forum with something to read.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForumDeps } from '../deps';
import { parseSongPage } from '../songs/import';
import { songModel } from '../songs/model';
import { upsertSongFromPage } from './importer';

export const DEMO_PAGES_DIR = join(import.meta.dirname, 'demo-pages');

export async function loadDemoIfEmpty(deps: Pick<ForumDeps, 'db' | 'threads' | 'repairs' | 'threadCache' | 'logger'>): Promise<number> {
  if (await songModel(deps.db.conn).exists({})) return 0;
  const files = (await readdir(DEMO_PAGES_DIR)).filter((f) => f.endsWith('.txt')).sort();
  let loaded = 0;
  for (const file of files) {
    try {
      await upsertSongFromPage(deps, parseSongPage(await readFile(join(DEMO_PAGES_DIR, file), 'utf8')));
      loaded++;
    } catch (err) {
      deps.logger.warn({ file, err: (err as Error).message }, 'demo song not loaded');
    }
  }
  deps.logger.info({ songs: loaded }, 'demo content loaded into the empty database');
  return loaded;
}
