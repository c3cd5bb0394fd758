// The song list's order (newest activity first, then the newer song) kept in memory on the embedded database.
// FerretDB answers a sorted query by reading and decoding every song, facts and all (1 s at 10,000 songs, with nothing
// else served meanwhile), and the song list is the home page. So each instance keeps every song's (id, activity,
// search key): read once, moved at once by this instance's own posts, and read again in the background when older
// than `ttlMs`, so other instances' posts show within it; songs created, imported or re-keyed anywhere (this instance
// too) show at the next page, which reads it again first (markSongsChanged). A page takes its ids from here and reads those songs by _id. On MongoDB the
// (activityAt, _id) index serves the list and nothing is kept.
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { indexAfter } from '../sorted';

export interface SongActivity {
  id: string;
  /** activityAt, in ms. */
  at: number;
  /** The normalised title and artists that a search matches a substring of (songs/text.ts searchKeyOf). */
  key: string;
}

/** Where a page starts: after this song in the order (the list's cursor). */
export interface ActivityMark {
  at: number;
  id: string;
}

export interface SongActivityOrder {
  /** Up to `want` songs in list order, after `after` when given, whose key holds `q` when given. */
  page(want: number, after: ActivityMark | null, q: string): Promise<SongActivity[]>;
  /** A song's activity moved (a comment shown): placed at once. Never moves it back; a song not held waits for a read. */
  touch(song: ActivityMark): void;
}

/**
 * Songs written other than by a post (created, imported, their search keys recomputed) mark it here, in any process
 * (`npm run import` too): a list read by _id before each page, so an instance reads its order again at once after
 * one. A new random value each time, so that writes racing on FerretDB's read-modify-write cannot hide a change.
 */
const SONGS_CHANGED = 'songs.changed';
const metaOf = (conn: Connection) => conn.collection<{ _id: string; mark?: string }>('meta');

export async function markSongsChanged(conn: Connection): Promise<void> {
  await metaOf(conn).updateOne({ _id: SONGS_CHANGED }, { $set: { mark: randomUUID() } }, { upsert: true });
}

export async function songsChangedMark(conn: Connection): Promise<string | null> {
  return (await metaOf(conn).findOne({ _id: SONGS_CHANGED }))?.mark ?? null;
}

/** List order: newest activity first, then the newer song (ObjectIds sort by creation). */
export const listBefore = (a: ActivityMark, b: ActivityMark) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Index of the first song that comes after `mark` in list order. */
const firstAfter = (rows: SongActivity[], mark: ActivityMark): number => indexAfter(rows, mark, listBefore);

function place(rows: SongActivity[], byId: Map<string, SongActivity>, song: ActivityMark): void {
  const held = byId.get(song.id);
  if (!held || held.at >= song.at) return;
  rows.splice(firstAfter(rows, held) - 1, 1);
  const row = { ...held, at: song.at };
  rows.splice(firstAfter(rows, row), 0, row);
  byId.set(row.id, row);
}

export function createSongActivityOrder(
  read: () => Promise<SongActivity[]>,
  /** `mark`: what songsChangedMark answers now; a page that finds it moved waits for the order to be read again. */
  opts: { ttlMs: number; now?: () => number; mark?: () => Promise<string | null> },
): SongActivityOrder {
  const now = opts.now ?? Date.now;
  let rows: SongActivity[] = [];
  let byId = new Map<string, SongActivity>();
  let builtAt = -Infinity;
  let builtMark: string | null = null;
  let building: Promise<void> | null = null;
  /** Touches made while a read runs: the read may have missed them, so they are replayed on its result. */
  let touchedDuringBuild: ActivityMark[] | null = null;

  const build = () =>
    (building ??= (async () => {
      const startedAt = now();
      touchedDuringBuild = [];
      try {
        // Read before the songs: a change landing during the read shows as a moved mark next time.
        const mark = opts.mark ? await opts.mark() : null;
        const read_ = [...(await read())].sort(listBefore);
        const fresh = new Map(read_.map((s) => [s.id, s]));
        for (const s of touchedDuringBuild) place(read_, fresh, s);
        rows = read_;
        byId = fresh;
        builtAt = startedAt;
        builtMark = mark;
      } finally {
        touchedDuringBuild = null;
        building = null;
      }
    })());

  return {
    async page(want, after, q) {
      // The first read, and one after songs were written elsewhere, waits for the order; later ones are served from it
      // while a stale one is read again.
      const mark = opts.mark ? await opts.mark() : null;
      if (builtAt === -Infinity || mark !== builtMark) {
        await build();
        // A read already under way began before the mark moved: read once more.
        if (builtMark !== mark) await build();
      } else if (now() - builtAt > opts.ttlMs) void build().catch(() => undefined);
      const found: SongActivity[] = [];
      for (let i = after ? firstAfter(rows, after) : 0; i < rows.length && found.length < want; i++) if (!q || rows[i].key.includes(q)) found.push(rows[i]);
      return found;
    },
    touch(song) {
      touchedDuringBuild?.push(song);
      if (builtAt !== -Infinity) place(rows, byId, song);
    },
  };
}
