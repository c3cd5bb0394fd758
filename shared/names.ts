// Names and places as people type them, cleaned so that what a reader sees is what was stored. Invisible format
// characters (Unicode category Cf: bidi embeddings, overrides and isolates U+202A-202E and U+2066-2069, zero-width
// spaces and joiners, soft hyphens, the BOM, tag characters...) let a name display as something it is not:
// "\u202E564nimda" reads "admin465". Control characters and line breaks have no place in a one-line name either.
// No zod here: the browser's forms import it too.

const EMOJI_BEFORE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}]\uFE0F?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** A zero-width joiner inside an emoji sequence (a family, a profession) draws one emoji: it stays; any other goes. */
const joinsEmoji = (s: string, i: number) => EMOJI_BEFORE.test(s.slice(Math.max(0, i - 3), i)) && EMOJI_AFTER.test(s.slice(i + 1, i + 3));

/**
 * A one-line name or place as it may be shown: format characters removed (but an emoji's joiner), control
 * characters removed, every run of white space (line and paragraph separators, no-break spaces) one space, trimmed.
 */
export function cleanName(s: string): string {
  return s
    .replace(/[\p{Cf}\p{Cc}]/gu, (ch, i: number, all: string) => (ch === '\u200D' && joinsEmoji(all, i) ? ch : /[\t\n\v\f\r\x85]/.test(ch) ? ' ' : ''))
    .replace(/[\s\p{Z}]+/gu, ' ')
    .trim();
}

/**
 * The key two names share when a reader could take one for the other: cleaned, compatibility forms folded
 * ("ａｄｍｉｎ" is "admin"), accents dropped, any letter case. Guests may not post under a member's key.
 */
export function nameKey(s: string): string {
  return cleanName(s).normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().normalize('NFC');
}
