// The stored comment as the contract shows it.
import { cleanName } from '../../shared/names';
import type { CommentDTO } from '../../shared/types';
import type { CommentRecord } from './model';

export function toCommentDTO(c: CommentRecord): CommentDTO {
  const removed = c.status === 'removed';
  return {
    id: String(c._id),
    songId: String(c.songId),
    parentId: c.parentId ? String(c.parentId) : null,
    author: authorOf(c.author),
    // A removed comment stays as a placeholder so its replies keep their parent; its text is not shown.
    body: removed ? '' : c.body,
    createdAt: c.createdAt.toISOString(),
    editedAt: c.editedAt ? c.editedAt.toISOString() : null,
    score: c.score ?? 0,
    replyCount: c.replyCount ?? 0,
    status: c.status,
    featured: !!c.featured,
    clientId: c.clientId ?? null,
    removedBy: removed ? removedAs(c) : null,
    editedBy: c.editedAt ? (c.editedBy ?? 'author') : null,
  };
}

/** Removals made before `removedAs` was kept: the remover's id tells (an author's own, or someone else's). */
function removedAs(c: CommentRecord): 'author' | 'moderator' {
  if (c.removedAs) return c.removedAs;
  return !c.removedBy || c.removedBy === c.author.userId ? 'author' : 'moderator';
}

/**
 * Names are cleaned as they come in (shared/schemas.ts); cleaning again here covers what was stored before that, so
 * no reader is shown a name reordered by invisible characters.
 */
export function authorOf(a: CommentRecord['author']): CommentDTO['author'] {
  const userId = a.userId ?? null;
  return { name: cleanName(a.name), location: a.location ? cleanName(a.location) || null : null, userId, guest: userId === null };
}
