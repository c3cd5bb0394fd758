// Members as everyone sees them: the profile (name, place, member since, how many comments) and their visible
// comments with their songs, newest first.
import mongoose from 'mongoose';
import type { Page, ProfileComment, ProfileDTO } from '../../shared/types';
import { userModel, type UserDoc } from '../accounts/model';
import { toUserDTO, usernameKey } from '../accounts/service';
import { toCommentDTO } from '../comments/dto';
import { commentModel, type CommentRecord } from '../comments/model';
import { byIds } from '../db/by-ids';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { ForumDeps } from '../deps';
import { NotFound } from '../errors';
import { songModel, type SongRecord } from '../songs/model';

type Deps = Pick<ForumDeps, 'db'>;
export const PROFILE_PAGE = 20;
const ORDER = 'member-comments';

async function memberByUsername(deps: Deps, username: string): Promise<UserDoc> {
  const user = typeof username === 'string' && username.length <= 100 ? await userModel(deps.db.conn).findOne({ usernameKey: usernameKey(username) }).lean<UserDoc>() : null;
  if (!user) throw new NotFound('No such member.');
  return user;
}

export async function getProfile(deps: Deps, username: string): Promise<ProfileDTO> {
  const user = await memberByUsername(deps, username);
  const { id, username: name, displayName, location, role, createdAt } = toUserDTO(user);
  const commentCount = await commentModel(deps.db.conn).countDocuments({ 'author.userId': id, status: 'visible' });
  return { id, username: name, displayName, location, role, createdAt, commentCount };
}

/** The member's visible comments, newest first, each with its song. */
export async function listMemberComments(deps: Deps, username: string, cursor?: string, limit = PROFILE_PAGE): Promise<Page<ProfileComment>> {
  const user = await memberByUsername(deps, username);
  const filter: Record<string, unknown> = { 'author.userId': String(user._id), status: 'visible' };
  if (cursor) filter._id = mongoose.trusted({ $lt: new mongoose.Types.ObjectId(decodeCursor(cursor, ORDER).i) });
  const rows = await commentModel(deps.db.conn).find(filter).sort({ _id: -1 }).limit(limit + 1).lean<CommentRecord[]>();
  const page = rows.slice(0, limit);
  const songs = await byIds<SongRecord>(songModel(deps.db.conn), page.map((c) => c.songId), { slug: 1, title: 1, artist: 1 });
  const items = page.flatMap((c): ProfileComment[] => {
    const s = songs.get(String(c.songId));
    const { clientId: _clientId, ...comment } = toCommentDTO(c);
    return s ? [{ ...comment, song: { slug: s.slug, title: s.title, artist: s.artist } }] : [];
  });
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ o: ORDER, k: 0, i: String(last._id) }) : null };
}
