// Songs: read one, list by recent activity (with search), create (admins), and upsert from an imported page.
import mongoose, { type Connection, type Types } from 'mongoose';
import type { CreateSongInput } from '../../shared/schemas';
import type { Page, SongDTO, UserDTO } from '../../shared/types';
import { can } from '../accounts/policy';
import { importComments } from '../comments/service';
import type { ForumDeps } from '../deps';
import { HttpError, notFound } from '../http/errors';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor';
import type { ParsedSongPage } from './import';
import { threadIndexes } from './indexes';
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

/** Slug -> song id, per connection: slugs never change, and the embedded database finds a song by _id from its index. */
const songIds = new WeakMap<Connection, Map<string, Types.ObjectId>>();

/** The song record of a slug, or 404; other modules use it to resolve a thread. */
/** The id of the song with this slug, from memory once known (a slug never changes and songs are not deleted). */
export async function songIdBySlug(deps: Pick<ForumDeps, 'db'>, slug: string): Promise<Types.ObjectId> {
  return knownSongIds(deps).get(slug) ?? (await findSongBySlug(deps, slug))._id;
}

function knownSongIds(deps: Pick<ForumDeps, 'db'>): Map<string, Types.ObjectId> {
  let ids = songIds.get(deps.db.conn);
  if (!ids) songIds.set(deps.db.conn, (ids = new Map()));
  return ids;
}

export async function findSongBySlug(deps: Pick<ForumDeps, 'db'>, slug: string): Promise<SongRecord> {
  if (typeof slug !== 'string' || slug.length > 200) throw notFound('No such song.');
  const Songs = songModel(deps.db.conn);
  const ids = knownSongIds(deps);
  const known = ids.get(slug);
  const cached = known ? await Songs.findOne({ _id: known }).lean<SongRecord>() : null;
  if (cached?.slug === slug) return cached;
  const song = await Songs.findOne({ slug }).lean<SongRecord>();
  if (!song) throw notFound('No such song.');
  if (ids.size > 100_000) ids.clear();
  ids.set(slug, song._id);
  return song;
}

export async function getSong(deps: ForumDeps, slug: string): Promise<SongDTO> {
  return toSongDTO(await findSongBySlug(deps, slug), true);
}

const LIST_ORDER = 'activity';

/** Newest activity first; `q` matches a substring of the normalised title and artists. */
export async function listSongs(deps: ForumDeps, query: { q?: string; cursor?: string; limit: number }): Promise<Page<SongDTO>> {
  const filter: Record<string, unknown> = {};
  const q = query.q ? normalise(query.q) : '';
  if (q) filter.searchKey = new RegExp(escapeRegex(q));
  if (query.cursor) {
    const c = decodeCursor(query.cursor, LIST_ORDER);
    const at = new Date(c.k);
    if (Number.isNaN(at.getTime())) throw invalidCursor();
    filter.$or = [{ activityAt: mongoose.trusted({ $lt: at }) }, { activityAt: at, _id: mongoose.trusted({ $lt: new mongoose.Types.ObjectId(c.i) }) }];
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

export async function createSong(deps: ForumDeps, actor: UserDTO | null, input: CreateSongInput): Promise<SongDTO> {
  const ctx = { now: new Date(), editWindowMs: deps.config.editWindowMs, guestPosting: deps.config.guestPosting };
  if (!actor) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in to add songs.');
  if (!can(actor, 'song.create', ctx)) throw new HttpError(403, 'FORBIDDEN', 'Only admins can add songs.');
  await threadIndexes(deps.db.conn);
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
      return toSongDTO(created.toObject(), true);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new HttpError(409, 'CONFLICT', 'Too many songs share this artist and title.');
}

export const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;

/**
 * Creates or updates the song of an imported page (matched by its slug) and adds the page's comments that are
 * not there yet: each imported comment's idempotency key is a hash of slug, name and text, so re-importing adds nothing.
 */
export async function upsertSongFromPage(deps: Pick<ForumDeps, 'db'>, page: ParsedSongPage): Promise<{ song: SongDTO; created: boolean; comments: number }> {
  await threadIndexes(deps.db.conn);
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
  if (existing) await Songs.updateOne({ _id: existing._id }, { $set: fields });
  else await Songs.create({ ...fields, slug, commentCount: 0, lastSeq: 0, lastCommentAt: null, activityAt: now, createdAt: now });
  const song = (await Songs.findOne({ slug }).lean<SongRecord>())!;

  const added = await importComments(deps, song, page.comments);
  const fresh = (await Songs.findOne({ _id: song._id }).lean<SongRecord>())!;
  return { song: toSongDTO(fresh, true), created: !existing, comments: added };
}
