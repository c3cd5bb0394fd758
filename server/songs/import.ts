// Parses the song-page text format (../shared/API.md, "Song-page text format") into a ParsedSongPage.
// Pure: no database here; upsertSongFromPage (server/imports/importer.ts) stores the result.
import type { ChartPeak, SongDTO } from '../../shared/types';
import { splitLocationAndBody } from './glue';

export interface ParsedComment {
  name: string;
  location: string | null;
  body: string;
}

/** A song as its page describes it: the Song shape's own fields (facts as paragraphs joined by a blank line), plus comments. */
export interface ParsedSongPage extends Pick<SongDTO, 'title' | 'artist' | 'featuring' | 'album' | 'year' | 'charts'> {
  facts: string[];
  comments: ParsedComment[];
  /** The page's own `Comments: N` (it may count comments the page does not show). */
  declaredComments: number | null;
}

/** A file that is not a song page; the message says why, for the import command's output. */
export class SongPageError extends Error {}

const BULLET = /^\s*[•·*]\s+/;
const COMMENTS_LINE = /^Comments:\s*(\d+)?\s*$/i;
/** Page furniture after the comments: everything from here on is not the song's. */
const FURNITURE = /^(see more comments|editor'?s picks|more songs|related)\b/i;
const IGNORED_HEADER = /^(play video|lyrics)$/i;

export function parseSongPage(text: string): ParsedSongPage {
  if (text.includes('\u0000')) throw new SongPageError('not a song page: the file is binary');
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  const skipBlank = () => {
    while (i < lines.length && !lines[i].trim()) i++;
  };

  skipBlank();
  const title = (lines[i++] ?? '').trim();
  if (!title || BULLET.test(lines[i - 1] ?? '')) throw new SongPageError('not a song page: no title line');
  skipBlank();
  const by = parseByLine(lines[i] ?? '');
  if (!by) throw new SongPageError(`not a song page: expected "by ARTIST" after the title, found ${JSON.stringify((lines[i] ?? '').trim().slice(0, 60))}`);
  i++;

  const page: ParsedSongPage = { title, ...by, album: null, year: null, charts: [], facts: [], comments: [], declaredComments: null };
  i = parseHeader(lines, i, page);
  i = parseFacts(lines, i, page);
  parseComments(lines, i, page);
  if (title.length > 200 || by.artist.length > 200) throw new SongPageError('not a song page: the title or artist line is too long');
  return page;
}

export function parseByLine(line: string): { artist: string; featuring: string[] } | null {
  const m = /^by\s+(.+?)\s*(?:\((?:featuring|feat\.?|ft\.?|with)\s+(.+)\))?\s*$/i.exec(line.trim());
  if (!m) return null;
  return { artist: m[1].trim(), featuring: m[2] ? splitArtists(m[2]) : [] };
}

/** "A, B & C" / "A and B" -> ["A", "B", "C"]. */
export const splitArtists = (s: string): string[] =>
  s
    .split(/\s*,\s*|\s+&\s+|\s+and\s+/i)
    .map((a) => a.trim())
    .filter(Boolean);

/** Album, Charted, and furniture such as "Play Video", up to the first fact bullet or `Comments:`. */
function parseHeader(lines: string[], i: number, page: ParsedSongPage): number {
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (BULLET.test(line) || COMMENTS_LINE.test(line.trim())) return i;
    const t = line.trim();
    if (!t || IGNORED_HEADER.test(t)) continue;
    const album = /^Album:\s*(.*?)\s*(?:\((\d{4})\))?\s*$/i.exec(t);
    if (album) {
      page.album = album[1] || null;
      page.year = album[2] ? Number(album[2]) : null;
      continue;
    }
    const charted = /^Charted:(.*)$/i.exec(line.trimStart());
    if (charted) page.charts = parseCharts(charted[1]);
    // Anything else in the header (ads, share links) is ignored.
  }
  return i;
}

/**
 * The source prints two fixed columns, UK then US: "Charted: 14 9". With one number we assume UK, unless the
 * UK column is visibly empty (two or more spaces before the number, "Charted:   9") or regions are written
 * out ("Charted: US 9", "Charted: UK 14 US 9"), which always wins.
 */
export function parseCharts(rest: string): ChartPeak[] {
  const labelled = [...rest.matchAll(/\b([A-Z]{2,3})\s*[:#]?\s*(\d{1,4})\b/g)];
  if (labelled.length) return labelled.map((m) => ({ region: m[1], peak: Number(m[2]) })).filter((c) => c.peak >= 1);
  const numbers = rest.trim() ? rest.trim().split(/\s+/).filter((t) => /^\d{1,4}$/.test(t)).map(Number) : [];
  const regions = numbers.length === 1 && /^\s{2,}\d/.test(rest) ? ['US'] : ['UK', 'US'];
  return numbers.slice(0, 2).map((peak, n) => ({ region: regions[n], peak })).filter((c) => c.peak >= 1);
}

/** Facts: bullets, each with continuation paragraphs (indented lines after a blank line). */
function parseFacts(lines: string[], i: number, page: ParsedSongPage): number {
  let paragraphs: string[] | null = null;
  let blank = false;
  const flush = () => {
    if (paragraphs?.length) page.facts.push(paragraphs.join('\n\n'));
    paragraphs = null;
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    const comments = COMMENTS_LINE.exec(t);
    if (comments || FURNITURE.test(t)) {
      flush();
      if (comments) page.declaredComments = comments[1] ? Number(comments[1]) : null;
      return comments ? i + 1 : lines.length;
    }
    if (!t) {
      blank = true;
      continue;
    }
    if (BULLET.test(line)) {
      flush();
      paragraphs = [line.replace(BULLET, '').trim()];
    } else if (paragraphs) {
      // A wrapped line continues its paragraph; after a blank line it starts the next one.
      if (blank) paragraphs.push(t);
      else paragraphs[paragraphs.length - 1] += ' ' + t;
    }
    blank = false;
  }
  // The format's facts end at its `Comments:` line: a file that stops in them was cut short (a partial download, a
  // copy that stopped), and importing it would replace the song's facts with the part that arrived.
  throw new SongPageError('the page ends inside its facts, before its "Comments:" line: is the file cut short?');
}

/** Comments: `  • NAME from LOCATIONTEXT`, until the page furniture. */
function parseComments(lines: string[], i: number, page: ParsedSongPage): void {
  let current: ParsedComment | null = null;
  let blank = false;
  for (; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (FURNITURE.test(t)) break;
    if (!t) {
      blank = true;
      continue;
    }
    if (BULLET.test(line)) {
      current = parseCommentLine(line.replace(BULLET, '').trim());
      if (current) page.comments.push(current);
    } else if (current && /^\s/.test(line)) {
      current.body += (blank ? '\n\n' : ' ') + t;
    } else {
      // An unindented line that is not a comment: the page furniture has begun.
      break;
    }
    blank = false;
  }
}

export function parseCommentLine(s: string): ParsedComment | null {
  const at = s.indexOf(' from ');
  if (at <= 0) return s ? { name: 'Anonymous', location: null, body: s } : null;
  const name = s.slice(0, at).trim().slice(0, 40);
  const { location, body } = splitLocationAndBody(s.slice(at + ' from '.length));
  if (!body) return null;
  return { name, location: location ? location.slice(0, 60) : null, body };
}
