// Live arrivals come in bursts (a busy thread, a catch-up after a drop): a burst is placed alike and said once.
// Placed alike: the reader at the end of the thread sees a burst join the end, though its first comment has already
// pushed the end down out of "near the bottom". Said once: a screen reader hears one sentence for the burst, not the
// last of several that overwrote each other in its live region within a few milliseconds.
import { plural } from '../../shared/words';

/** Arrivals this close after a comment joined the end also join it (unless the reader scrolls away meanwhile). */
export const BURST_MS = 1000;
/** How long after a burst's first arrival it is announced: long enough to gather it, short enough to be live. */
export const ANNOUNCE_MS = 400;

/** "Rae", "Rae and Tia", "Rae, Tia and Ana", "Rae, Tia, Ana and 2 others": each name once, in order of arrival. */
export function namesInWords(names: readonly string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? '';
  const named = unique.slice(0, 3);
  const others = unique.length - named.length;
  if (others > 0) return `${named.join(', ')} and ${plural(others, 'other', 'others')}`;
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/** What a burst says: the comments shown (by their authors' names, as shown) and how many wait behind the button. */
export function arrivalWords(shown: readonly string[], waiting: number): string {
  const parts: string[] = [];
  if (shown.length === 1) parts.push(`New comment from ${shown[0]}.`);
  else if (shown.length > 1) parts.push(`${shown.length} new comments, from ${namesInWords(shown)}.`);
  if (waiting > 0) parts.push(`${plural(waiting, 'new comment', 'new comments')}${shown.length ? ' waiting' : ''}.`);
  return parts.join(' ');
}

/**
 * Gathers a burst's arrivals and says them once, ANNOUNCE_MS after its first: `waiting` is read then (every comment
 * behind the button, this burst's and earlier ones).
 */
export function arrivalAnnouncer(say: (text: string) => void, waiting: () => number): { arrived(shownAs: string | null): void; close(): void } {
  let shown: string[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    arrived(shownAs) {
      if (shownAs !== null) shown.push(shownAs);
      timer ??= setTimeout(() => {
        timer = null;
        const text = arrivalWords(shown, waiting());
        shown = [];
        if (text) say(text);
      }, ANNOUNCE_MS);
    },
    close: () => {
      if (timer) clearTimeout(timer);
    },
  };
}
