// Songs: read one, list by recent activity (with search), create (admins), and upsert from an imported page.
import mongoose, { type Types } from 'mongoose';
import type { CreateSongInput } from '../../shared/schemas';
import type { Page, SongDTO, UserDTO } from '../../shared/types';
import { can } from '../accounts/policy';
import { isDuplicateKey } from '../db/connection';
import { byIdsServed } from '../db/by-ids';
import { decodeCursor, encodeCursor, invalidCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { Conflict, Forbidden, NotFound, Unauthenticated } from '../errors';
import { markSongsChanged, type ActivityMark, type SongActivity, type SongActivityOrder } from './activity-order';
import { songModel, type SongRecord } from './model';
import { escapeRegex, normalise, searchKeyOf, slugify } from './text';

export function toSongDTO(s: SongRecord, withFacts: boolean): SongDTO {
  const dto: SongDTO = {
    id: String(s._id),
    slug: s.slug,
    title: s.title,
    artist: s.artist,
    featuring: [...(s.featuring ?? [])],
    album: s.album ?? null,
    year: s.year ?? null,
    charts: (s.charts ?? []).map((c) => ({ region: c.region, peak: c.peak })),
    commentCount: s.commentCount ?? 0,
    lastCommentAt: s.lastCommentAt ? s.lastCommentAt.toISOString() : null,
  };
  if (withFacts) dto.facts = [...(s.facts ?? [])];
  return dto;
}

/** Slugs whose song id one forum keeps (deps.songIds, made in forum.ts) before it starts again. */
const MAX_KNOWN_SLUGS = 100_000;

type Deps = Pick<ForumDeps, 'db' | 'songIds'>;
const noSuchSong = () => new NotFound('No such song.');

/** The id of the song with this slug, from memory once known. */
export async function songIdBySlug(deps: Deps, slug: string): Promise<Types.ObjectId> {
  return deps.songIds.get(slug) ?? (await findSongBySlug(deps, slug))._id;
}

/**
 * The song record of a slug, or NotFound; other modules use it to resolve a thread. What it keeps (the slug's id, for
 * the life of the process) is kept only from an answer that is one: a song with that slug and an ObjectId. Seen once
 * on the embedded database: a reply that belonged to another query (the moderation settings' document), which, kept,
 * made that song's every page a 500 until a restart. Its cause (an unacknowledged write that FerretDB answered
 * anyway: accounts/session.ts) is gone; the check stays, as what the cache keeps for the life of the process.
 */
export async function findSongBySlug(deps: Deps, slug: string): Promise<SongRecord> {
  if (typeof slug !== 'string' || slug.length > 200) throw noSuchSong();
  const Songs = songModel(deps.db.conn);
  const known = deps.songIds.get(slug);
  const cached = known ? await Songs.findOne({ _id: known }).lean<SongRecord>() : null;
  if (cached?.slug === slug) return cached;
  const song = await Songs.findOne({ slug }).lean<SongRecord>();
  if (!song) throw noSuchSong();
  if (song.slug !== slug || !(song._id instanceof mongoose.Types.ObjectId)) {
    deps.songIds.delete(slug);
    throw new Error(`the database answered a song lookup by slug with another document (_id ${String(song._id)})`);
  }
  if (deps.songIds.size > MAX_KNOWN_SLUGS) deps.songIds.clear();
  deps.songIds.set(slug, song._id);
  return song;
}

/** The slug of a song id, or null (a socket recovered on this instance knows only its rooms' song ids). */
export async function slugOfSong(deps: Pick<ForumDeps, 'db'>, id: Types.ObjectId | string): Promise<string | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const song = await songModel(deps.db.conn).findOne({ _id: id }, { slug: 1 }).lean<Pick<SongRecord, 'slug'>>();
  return song?.slug ?? null;
}

export async function getSong(deps: Deps, slug: string): Promise<SongDTO> {
  return toSongDTO(await findSongBySlug(deps, slug), true);
}

const LIST_ORDER = 'activity';

/** Newest activity first; `q` matches a substring of the normalised title and artists. */
export async function listSongs(deps: Pick<ForumDeps, 'db' | 'songOrder'>, query: { q?: string; cursor?: string; limit: number }): Promise<Page<SongDTO>> {
  const q = query.q ? normalise(query.q) : '';
  let mark: ActivityMark | null = null;
  if (query.cursor) {
    const c = decodeCursor(query.cursor, LIST_ORDER);
    if (Number.isNaN(new Date(c.k).getTime()) || !mongoose.isObjectIdOrHexString(c.i)) throw invalidCursor();
    mark = { at: c.k, id: c.i };
  }
  if (deps.songOrder) return listFromOrder(deps, deps.songOrder, q, mark, query.limit);
  const filter: Record<string, unknown> = {};
  if (q) filter.searchKey = new RegExp(escapeRegex(q));
  if (mark) {
    const at = new Date(mark.at);
    filter.$or = [{ activityAt: mongoose.trusted({ $lt: at }) }, { activityAt: at, _id: mongoose.trusted({ $lt: new mongoose.Types.ObjectId(mark.id) }) }];
  }
  const rows = await songModel(deps.db.conn)
    .find(filter, { facts: 0 })
    .sort({ activityAt: -1, _id: -1 })
    .limit(query.limit + 1)
    .lean<SongRecord[]>();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((s) => toSongDTO(s, false)),
    nextCursor: more && last ? encodeCursor({ o: LIST_ORDER, k: last.activityAt.getTime(), i: String(last._id) }) : null,
  };
}

/** The list from the order kept in memory (embedded database): the page's ids from it, their songs by _id. */
async function listFromOrder(deps: Pick<ForumDeps, 'db'>, order: SongActivityOrder, q: string, after: ActivityMark | null, limit: number): Promise<Page<SongDTO>> {
  const picked = await order.page(limit + 1, after, q);
  const page = picked.slice(0, limit);
  const byId = await byIdsServed<SongRecord>(deps.db.idSetsFromIndex, songModel(deps.db.conn), page.map((s) => new mongoose.Types.ObjectId(s.id)), { facts: 0 });
  const last = page[page.length - 1];
  return {
    items: page.flatMap((s) => (byId.has(s.id) ? [toSongDTO(byId.get(s.id)!, false)] : [])),
    nextCursor: picked.length > limit && last ? encodeCursor({ o: LIST_ORDER, k: last.at, i: last.id }) : null,
  };
}

/** Every song's place in the list, for the order kept in memory (one read of the whole collection). */
export function readSongActivity(deps: Pick<ForumDeps, 'db'>) {
  return async (): Promise<SongActivity[]> => {
    const rows = await songModel(deps.db.conn).find({}, { activityAt: 1, searchKey: 1 }).lean<Pick<SongRecord, '_id' | 'activityAt' | 'searchKey'>[]>();
    return rows.map((s) => ({ id: String(s._id), at: s.activityAt.getTime(), key: s.searchKey ?? '' }));
  };
}

export async function createSong(deps: Pick<ForumDeps, 'db' | 'config'>, actor: UserDTO | null, input: CreateSongInput): Promise<SongDTO> {
  const ctx = { now: new Date(), editWindowMs: deps.config.editWindowMs, guestPosting: false };
  if (!actor) throw new Unauthenticated('Sign in to add songs.');
  if (!can(actor, 'song.create', ctx)) throw new Forbidden('Only admins can add songs.');
  const base = slugify(input.artist, input.title);
  const now = new Date();
  const doc = {
    title: input.title,
    artist: input.artist,
    featuring: input.featuring ?? [],
    album: input.album ?? null,
    year: input.year ?? null,
    charts: input.charts ?? [],
    facts: input.facts ?? [],
    searchKey: searchKeyOf({ ...input }),
    commentCount: 0,
    lastSeq: 0,
    lastCommentAt: null,
    activityAt: now,
    createdAt: now,
  };
  // The slug is unique: a second song with the same artist and title gets "-2", "-3", ...
  for (let n = 1; n <= 50; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    try {
      const created = await songModel(deps.db.conn).create({ ...doc, slug });
      await markSongsChanged(deps.db.conn);
      return toSongDTO(created.toObject(), true);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Conflict('Too many songs share this artist and title.');
}
