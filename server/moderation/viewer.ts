// What differs per viewer, merged onto the page every reader shares in one separate step (the shared page is the
// same for everyone, so it can be cached): a member's own held and rejected comments in their places, and for
// moderators the held comments of the page's stretch and every comment's flags. Readers and guests get the shared
// page as it is (a guest's own held comment is seen only in the answer to their post).
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import type { CommentDTO, CommentPage, UserDTO } from '../../shared/types';
import { toCommentDTO } from '../comments/dto';
import { commentModel, type CommentRecord } from '../comments/model';
import type { SharedPage, Span } from '../comments/moderation';
import { byIdsServed } from '../db/by-ids';
import type { ForumDeps } from '../deps';
import { queueModel, type QueueRecord } from './model';
import { flagsOf } from './queue';
import { isModerator } from './roles';

const inSpan = (seq: number, s: Span) => (s.dir === 1 ? seq > s.from && seq <= s.to : seq < s.from && seq >= s.to);

export async function withViewer(deps: Pick<ForumDeps, 'db' | 'threads'>, shared: SharedPage, viewer: UserDTO | null): Promise<CommentPage> {
  const { page, span } = shared;
  if (!viewer) return page;
  const moderator = isModerator(viewer);
  const extra = span ? await ownAndHeld(deps, span, viewer, moderator) : [];
  let items: CommentDTO[] = page.items;
  if (extra.length) {
    // Both lists follow the page's order of positions: merge them by position.
    const seqOf = new Map<string, number>([...extra.map((c) => [String(c._id), c.seq] as const)]);
    const shown = await seqsOf(deps, span!.songId, page.items);
    for (const [id, seq] of shown) seqOf.set(id, seq);
    items = [...page.items, ...extra.map(toCommentDTO)].sort((a, b) => span!.dir * ((seqOf.get(a.id) ?? 0) - (seqOf.get(b.id) ?? 0)));
  }
  if (moderator) {
    const flags = await flagsOf(deps, items.map((c) => new mongoose.Types.ObjectId(c.id)));
    items = items.map((c) => ({ ...c, flags: flags.get(c.id) ?? { count: 0, reasons: [] } }));
  }
  return items === page.items ? page : { ...page, items };
}

/** The thread's held and rejected comments' queue entries. */
const heldEntries = (deps: Pick<ForumDeps, 'db'>, songId: Types.ObjectId) =>
  queueModel(deps.db.conn)
    .find({ songId, queue: mongoose.trusted({ $in: ['pending', 'rejected'] }) })
    .lean<QueueRecord[]>();

/** Members with a held or rejected comment in the thread (anywhere in it: the pages they read are theirs alone). */
export async function heldAuthors(deps: Pick<ForumDeps, 'db'>, songId: Types.ObjectId): Promise<ReadonlySet<string>> {
  const entries = await heldEntries(deps, songId);
  return new Set(entries.map((e) => e.authorId).filter((id): id is string => !!id));
}

/** The viewer's own held and rejected comments in the span, and for moderators every held one. */
async function ownAndHeld(deps: Pick<ForumDeps, 'db'>, span: Span, viewer: UserDTO, moderator: boolean): Promise<CommentRecord[]> {
  const entries = await heldEntries(deps, span.songId);
  const wanted = entries.filter((e) => e.authorId === viewer.id || (moderator && e.queue === 'pending'));
  const rows = await byIdsServed(() => deps.db.idSetsFromIndex(), commentModel(deps.db.conn), wanted.map((e) => e._id));
  return [...rows.values()].filter((c) => (c.status === 'pending' || c.status === 'rejected') && inSpan(c.seq, span));
}

/**
 * Positions of the page's comments (the DTO does not carry them), from the thread store's records: the page was
 * just built from them, so on the embedded database they are kept in memory, and on MongoDB they are one read.
 */
async function seqsOf(deps: Pick<ForumDeps, 'threads'>, songId: Types.ObjectId, items: CommentDTO[]): Promise<[string, number][]> {
  const rows = await deps.threads.comments({ _id: songId }, items.map((c) => new mongoose.Types.ObjectId(c.id)));
  return [...rows].map(([id, r]) => [id, r.seq]);
}
