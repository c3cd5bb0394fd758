// Word matching for banned and suspect words: whole words (or phrases of whole words), any case, accents folded.
/** Lower case without accents: "Café" and "CAFE" are one word. */
export const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();

/** The words of a text, folded: runs of letters and digits (an apostrophe inside a word keeps it whole). */
export const wordsOf = (s: string): string[] => fold(s).match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];

/** The entries of `list` that occur in `text` as whole words (a phrase: its words in a row). */
export function matchWords(text: string, list: readonly string[]): string[] {
  if (!list.length) return [];
  const words = wordsOf(text);
  const found: string[] = [];
  for (const entry of list) {
    const phrase = wordsOf(entry);
    if (!phrase.length) continue;
    for (let i = 0; i + phrase.length <= words.length; i++) {
      if (phrase.every((w, j) => words[i + j] === w)) {
        found.push(entry);
        break;
      }
    }
  }
  return found;
}

/** Links a reader would follow: http(s) URLs and bare www. addresses. */
export const countLinks = (text: string): number => (text.match(/\bhttps?:\/\/[^\s<>"']+|\bwww\.[^\s<>"']+\.[^\s<>"']+/gi) ?? []).length;
