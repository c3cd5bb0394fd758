// Song text helpers: slugs and the normalised search key (FerretDB has no collation, so we fold case and accents ourselves).

/** Lower-case, accents stripped, apostrophes dropped, other punctuation to single spaces. */
export function normalise(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Title, artists and album, one normalised string: what a search matches a substring of. */
export function searchKeyOf(song: { title: string; artist: string; featuring?: string[]; album?: string | null }): string {
  return normalise([song.title, song.artist, ...(song.featuring ?? []), song.album ?? ''].join(' '));
}

/** "Charlie Puth" + "We Don't Talk Anymore" -> "charlie-puth-we-dont-talk-anymore"; non-Latin titles fall back to a hash. */
export function slugify(artist: string, title: string): string {
  const ascii = normalise(`${artist} ${title}`)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 180)
    .replace(/-+$/, '');
  if (ascii) return ascii;
  let h = 0;
  for (const ch of `${artist}\u0000${title}`) h = (Math.imul(h, 31) + ch.codePointAt(0)!) >>> 0;
  return `song-${h.toString(36)}`;
}

/** Escapes user text for use inside a RegExp. */
export { escapeRegex } from '../../shared/regex';
