// The live thread's state as pure functions, so the rules (never twice, where a live comment goes) are
// testable without a browser. Every function returns a new state.
import type { CommentDTO, CommentPage, ThreadSort } from '../../shared/types';

/** A comment as the view holds it: the server's copy, or our own optimistic copy until the server answers. */
export type ViewComment = CommentDTO & {
  pending?: boolean;
  /**
   * Newer than every page not yet loaded (oldest first): the reader's own post, or new comments they asked to see,
   * while "Load more" still has pages before them. Shown at the thread's end, after that gap, until it is loaded.
   */
  beyond?: boolean;
};

export interface ThreadState {
  sort: ThreadSort;
  /** Shown comments in the order of the sort; replies are nested by the view. */
  items: ViewComment[];
  /** Arrived live while the reader was elsewhere: behind the "N new comments" button. */
  unseen: CommentDTO[];
  nextCursor: string | null;
  total: number;
  /**
   * The newest comment id we know of: where a catch-up after a drop starts. Moved only by comment:created
   * events and catch-up results, in the order they arrive (the server emits in posting order; ids from
   * several instances do not sort by time, so they are never compared).
   */
}

/**
 * Starts from the newest comment id the server knew at render time (the thread's, not the page's: with the
 * oldest or top sort the page's ids are not the thread's newest).
 */
export function initialState(page: CommentPage, sort: ThreadSort): ThreadState {
  return { sort, items: page.items, unseen: [], nextCursor: page.nextCursor, total: page.total };
}

const sameComment = (a: ViewComment, b: CommentDTO) => a.id === b.id || (!!a.pending && !!b.clientId && a.clientId === b.clientId);
export const isKnown = (s: ThreadState, c: CommentDTO) => s.items.some((x) => sameComment(x, c)) || s.unseen.some((x) => x.id === c.id);

/** Replaces the copy we hold (ours or the server's) with the server's, keeping its place; drops duplicates. */
function replace(s: ThreadState, c: CommentDTO): ThreadState {
  let placed = false;
  const items: ViewComment[] = [];
  for (const x of s.items) {
    if (!sameComment(x, c)) items.push(x);
    else if (!placed) {
      items.push(x.beyond ? { ...c, beyond: true } : c);
      placed = true;
    }
  }
  return { ...s, items, unseen: s.unseen.map((x) => (x.id === c.id ? c : x)) };
}

/** `total` counts visible comments only (held, rejected and removed ones are not counted). */
const counted = (c: Pick<CommentDTO, 'status'> | undefined) => c?.status === 'visible';

/** Oldest first with pages still to load: a new comment's place is past them, at the thread's end. */
const pastTheGap = (s: ThreadState) => s.sort === 'oldest' && s.nextCursor !== null;

/** Our own post, shown at once where the reader will look for it (oldest first: at the end, past unloaded pages). */
export function addOptimistic(s: ThreadState, c: ViewComment): ThreadState {
  const items = s.sort === 'oldest' || c.parentId ? [...s.items, !c.parentId && pastTheGap(s) ? { ...c, beyond: true } : c] : [c, ...s.items];
  return { ...s, items, total: s.total + 1 };
}

/** The server accepted our post: its copy takes the optimistic one's place (the live echo may have come first). */
export function confirmOwn(s: ThreadState, c: CommentDTO): ThreadState {
  const withClient = { ...c, clientId: c.clientId ?? null };
  const pendingIdx = s.items.findIndex((x) => x.pending && x.clientId && x.clientId === c.clientId);
  const echoIdx = s.items.findIndex((x) => x.id === c.id);
  if (pendingIdx >= 0 && echoIdx >= 0) {
    // The echo arrived first (and counted): keep one copy, in the optimistic one's place.
    const items = s.items.filter((_, i) => i !== echoIdx);
    return replace({ ...s, items, total: s.total - 1 }, withClient);
  }
  // Held for review: the optimistic copy was counted as visible.
  return replace(counted(c) ? s : { ...s, total: s.total - 1 }, withClient);
}

export function failOwn(s: ThreadState, clientId: string): ThreadState {
  return { ...s, items: s.items.filter((x) => !(x.pending && x.clientId === clientId)), total: s.total - 1 };
}

export interface Placement {
  /** The reader sits at the end of the thread (scrolled near the bottom). */
  nearBottom: boolean;
}

/**
 * A comment:created from the room. Known ones (our echo) are merged; replies to a shown parent go under it;
 * new comments join the end when the reader reads oldest-first at the end of a fully loaded thread;
 * otherwise they wait behind the "N new comments" button.
 */
export function receiveCreated(s: ThreadState, c: CommentDTO, where: Placement): { state: ThreadState; shown: boolean } {
  if (isKnown(s, c)) {
    // Known, but perhaps as a placeholder or held: approved or restored, it counts now.
    const held = s.items.find((x) => sameComment(x, c)) ?? s.unseen.find((x) => x.id === c.id);
    const total = s.total + (counted(c) && !counted(held) ? 1 : 0);
    return { state: replace({ ...s, total }, c), shown: false };
  }
  const next = { ...s, total: s.total + (counted(c) ? 1 : 0) };
  const parentShown = !!c.parentId && s.items.some((x) => x.id === c.parentId);
  if (parentShown || (s.sort === 'oldest' && where.nearBottom && s.nextCursor === null)) {
    return { state: { ...next, items: [...s.items, c] }, shown: true };
  }
  return { state: { ...next, unseen: [...s.unseen, c] }, shown: false };
}

/**
 * Moves the waiting comments into view: at the end oldest-first (past the pages not loaded yet, if any: they are newer
 * than all of those), at the top otherwise.
 */
export function showUnseen(s: ThreadState): ThreadState {
  const fresh = s.unseen.filter((c) => !s.items.some((x) => x.id === c.id)).map((c) => (pastTheGap(s) ? { ...c, beyond: true } : c));
  const items = s.sort === 'oldest' ? [...s.items, ...fresh] : [...[...fresh].reverse(), ...s.items];
  return { ...s, items, unseen: [] };
}

export function updated(s: ThreadState, c: CommentDTO): ThreadState {
  return isKnown(s, c) ? replace(s, c) : s;
}

export function removed(s: ThreadState, id: string, by: CommentDTO['removedBy'] = null): ThreadState {
  const was = s.items.find((x) => x.id === id) ?? s.unseen.find((x) => x.id === id);
  const strip = (x: ViewComment): ViewComment => (x.id === id ? { ...x, status: 'removed', body: '', removedBy: by ?? x.removedBy ?? null } : x);
  return { ...s, items: s.items.map(strip), unseen: s.unseen.filter((x) => x.id !== id), total: s.total - (counted(was) ? 1 : 0) };
}

/** Left the thread with no placeholder (rejected, or held for review): gone from what is shown, as after a reload. */
export function dropped(s: ThreadState, id: string): ThreadState {
  const was = s.items.find((x) => x.id === id) ?? s.unseen.find((x) => x.id === id);
  return { ...s, items: s.items.filter((x) => x.id !== id), unseen: s.unseen.filter((x) => x.id !== id), total: s.total - (counted(was) ? 1 : 0) };
}

export function voted(s: ThreadState, id: string, score: number): ThreadState {
  return { ...s, items: s.items.map((x) => (x.id === id ? { ...x, score } : x)) };
}

/**
 * The next page from "load more": appended, without any comment we already show. Comments shown past the unloaded
 * pages stay after them; one the page brings takes its place in the page (it is the server's copy, in order), and
 * once no page is left they are simply the thread's end.
 */
export function appendPage(s: ThreadState, page: CommentPage): ThreadState {
  const loaded = s.items.filter((x) => !x.beyond);
  const fresh = page.items.filter((c) => !loaded.some((x) => x.id === c.id));
  const beyond = s.items.filter((x) => x.beyond && !fresh.some((f) => sameComment(x, f)));
  const tail = page.nextCursor ? beyond : beyond.map(({ beyond: _, ...x }) => x);
  return { ...s, items: [...loaded, ...fresh, ...tail], nextCursor: page.nextCursor, total: page.total, unseen: s.unseen.filter((u) => !fresh.some((f) => f.id === u.id)) };
}

/**
 * A member's display name or location changed: their comments read the new ones (their replies' context the name).
 * `location` undefined: only the name is known (it stays as it was).
 */
export function renamed(s: ThreadState, userId: string, name: string, location?: string | null): ThreadState {
  const ids = new Set(s.items.filter((x) => x.author.userId === userId).map((x) => x.id));
  const fix = <C extends ViewComment>(x: C): C => {
    const author = x.author.userId === userId ? { ...x.author, name, ...(location !== undefined ? { location } : {}) } : x.author;
    const inReplyTo = x.inReplyTo && ids.has(x.inReplyTo.id) ? { ...x.inReplyTo, name } : x.inReplyTo;
    return author === x.author && inReplyTo === x.inReplyTo ? x : { ...x, author, inReplyTo };
  };
  return { ...s, items: s.items.map(fix), unseen: s.unseen.map(fix) };
}

/** The replies of one comment, loaded by its "N replies": added to what is shown (the view nests them). */
export function addReplies(s: ThreadState, page: CommentPage): ThreadState {
  const fresh = page.items.filter((c) => !s.items.some((x) => x.id === c.id));
  return { ...s, items: [...s.items, ...fresh], unseen: s.unseen.filter((u) => !fresh.some((f) => f.id === u.id)) };
}
