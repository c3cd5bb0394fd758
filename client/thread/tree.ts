// Nests a flat list of comments under their parents, with a depth cap so deep replies stay readable at 320 px.
import type { ViewComment } from './state';

export const DEPTH_CAP = 3;

export interface CommentNode {
  comment: ViewComment;
  /** Capped: replies deeper than the cap line up at the cap instead of indenting further. */
  depth: number;
  replies: CommentNode[];
  /**
   * Whom a reply answers, said above it where its place does not show it: 'full' (name and how their comment began)
   * for a reply listed away from its parent; 'brief' (the name) for one whose neighbour above already quoted that
   * parent, or one lined up at the cap under a comment it does not answer.
   */
  context: 'full' | 'brief' | null;
}

/** Roots keep the list's order (the sort); replies read oldest first under their parent. */
export function buildTree(items: ViewComment[], cap = DEPTH_CAP): CommentNode[] {
  const ids = new Set(items.map((c) => c.id));
  const byParent = new Map<string, ViewComment[]>();
  const roots: ViewComment[] = [];
  for (const c of items) {
    if (c.parentId && c.parentId !== c.id && ids.has(c.parentId)) byParent.set(c.parentId, [...(byParent.get(c.parentId) ?? []), c]);
    else roots.push(c);
  }
  const seen = new Set<string>();
  const grow = (c: ViewComment, depth: number): CommentNode => {
    seen.add(c.id);
    const kids = (byParent.get(c.id) ?? []).filter((k) => !seen.has(k.id)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const replies =
      depth >= cap
        ? kids.flatMap((k) => flat(grow(k, cap))).map((r) => ({ ...r, context: r.comment.parentId === c.id ? null : ('brief' as const) }))
        : kids.map((k) => grow(k, depth + 1));
    return { comment: c, depth, replies, context: null };
  };
  // Roots that are replies (their parents are not on the page): the first of a run answering one comment quotes it.
  return roots.map((c, i) => ({ ...grow(c, 0), context: !c.parentId ? null : roots[i - 1]?.parentId === c.parentId ? 'brief' : 'full' }));
}

/** At the cap a reply and all of its descendants become siblings, in reply order. */
const flat = (n: CommentNode): CommentNode[] => [{ ...n, replies: [] }, ...n.replies.flatMap(flat)];
