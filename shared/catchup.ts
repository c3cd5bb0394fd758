// Where a reader's catch-up starts after a drop (the browser's and the chaos run's readers alike).
//
// Comments are announced in about the order they were written, but not exactly: a post waits for its parent's reply
// count before it is announced, and a post cut short (its forum killed, its database gone mid-write) is announced
// only by its retry, after comments written later. Catching up "after the last comment received" would then skip
// it for good. Every such comment was written within LATE_ANNOUNCEMENT_MS of the later ones (a post's writes
// finish or fail well within that), so the catch-up starts after the newest comment received that much earlier
// than the newest one; the overlap comes back again and the reader drops what it knows.

/** How much earlier than a comment another one written before it may have been: a post's writes take less. */
export const LATE_ANNOUNCEMENT_MS = 10_000;
/** Comments remembered; a thread busier than this within the window starts its catch-up at the oldest one. */
const REMEMBERED = 200;

type Noted = { id: string; createdAt: string; status?: string };

export interface CatchUpMark {
  /** A comment the reader now has (live, rendered or fetched). */
  note(c: Noted): void;
  /** True when this very comment, in this status, was noted before: the overlap of a catch-up brings it again. */
  knows(c: Noted): boolean;
  /** The comment to catch up after: `null` when the reader has none (its catch-up is the whole thread). */
  since(): string | null;
}

/**
 * `rendered`: the newest comment of the thread when the reader got it (the page's render), where the catch-up starts
 * until the reader has had a comment for longer than the window.
 */
export function catchUpMark(rendered: string | null): CatchUpMark {
  // Oldest first, by when each was written; a comment noted twice keeps its place.
  let recent: { id: string; at: number; status?: string }[] = [];
  const mark: CatchUpMark = {
    note(c) {
      const known = recent.find((r) => r.id === c.id);
      if (known) return void (known.status = c.status);
      const at = Date.parse(c.createdAt);
      let i = recent.length;
      while (i > 0 && recent[i - 1].at > at) i--;
      recent.splice(i, 0, { id: c.id, at, status: c.status });
      if (recent.length > REMEMBERED) recent = recent.slice(-REMEMBERED);
    },
    knows: (c) => recent.some((r) => r.id === c.id && r.status === c.status),
    since() {
      if (!recent.length) return rendered;
      const before = recent[recent.length - 1].at - LATE_ANNOUNCEMENT_MS;
      for (let i = recent.length - 1; i >= 0; i--) if (recent[i].at < before) return recent[i].id;
      // Everything remembered is within the window: start where the reader started (all of it comes again), or, in a
      // thread busier than we remember, after the oldest remembered.
      return recent.length === REMEMBERED ? recent[0].id : rendered;
    },
  };
  return mark;
}
