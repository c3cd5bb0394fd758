// The source page glues a comment's location to its text ("VietnamThanks for the story"); this splits them
// the way a reader does. Locations are read as a run of capitalised words (with the small words of place names);
// the text begins either where a capital letter is glued to the end of a word ("Vietnam|Thanks", "NY|Great",
// "moon|I love") or, when the text begins in lower case, at a common first word glued to the last
// capitalised word ("I Dont Have One|we dont talk"). Limits: a lower-case location followed by lower-case
// text ("the moonwe ...") cannot be told apart and keeps the glued word.

/** Small words that may sit inside a place name. */
const CONNECTORS = new Set(['of', 'the', 'de', 'del', 'della', 'der', 'des', 'di', 'do', 'da', 'dos', 'du', 'la', 'le', 'las', 'los', 'upon', 'on', 'in', 'am', 'an', 'and', '&', 'y', 'e', 'van', 'von', 'sur', 'en', 'aan', 'bei']);

/** Common first words of a comment, to find where lower-case text is glued to a capitalised location word. */
const FIRST_WORDS = new Set(
  ('i im ive id ill we were weve you youre your he she it its this that these those there here the a an my our ' +
    'me us they them so wow omg lol love loved loving great awesome amazing beautiful best nice cool good ' +
    'what who how why when where one just really such yes yeah no hey hi hello thanks thank and but ' +
    'is was are if in on at for to of as oh ok okay well hmm haha ha every everyone anyone everybody ' +
    'listening heard hearing song songs music dont didnt cant can never always still all am ' +
    'first last been had has have could would should used saw got played remember finally only not ' +
    'literally honestly absolutely totally definitely probably maybe whenever since after before')
    .split(' '),
);

/** Name prefixes with an inner capital that are not a glue point: McAllen, DeKalb, LaSalle, MacArthur. */
const CAPITAL_PREFIXES = /(?:^|[^\p{L}])(Mc|Mac|De|La|Le|Di|Du|Da|Van|Von|St)$/u;

const isUpper = (c: string | undefined) => !!c && /\p{Lu}/u.test(c);
const isLower = (c: string | undefined) => !!c && /\p{Ll}/u.test(c);
const isDigit = (c: string | undefined) => !!c && /\d/.test(c);

/** Index in the word where glued comment text begins, or -1. */
export function gluePoint(word: string): number {
  const ch = [...word];
  let offset = 0;
  for (let j = 0; j < ch.length; j++) {
    if (j > 0 && isGlue(ch, j)) return offset;
    offset += ch[j].length;
  }
  return -1;
}

function isGlue(ch: string[], j: number): boolean {
  const prev = ch[j - 1];
  const cur = ch[j];
  const next = ch[j + 1];
  if (isDigit(cur)) return isLower(prev);
  if (cur === '"' || cur === '“') return /[\p{L}\d]/u.test(prev);
  if (!isUpper(cur)) return false;
  const pronounI = cur === 'I' && (next === undefined || next === "'" || next === '’');
  if (isLower(prev) || isDigit(prev)) return !CAPITAL_PREFIXES.test(ch.slice(0, j).join(''));
  if (/[.!?,;:)]/.test(prev)) return isLower(next) || pronounI;
  // "NYGreat": an acronym of two or more capitals, then a capitalised word.
  if (isUpper(prev) && isUpper(ch[j - 2]) && isLower(next)) return true;
  return false;
}

/** The longest common first word glued to the end of a capitalised word ("Onewe" -> 3), or -1. */
export function gluedFirstWord(word: string): number {
  if (!isUpper(word[0])) return -1;
  for (let k = 1; k < word.length; k++) {
    const tail = word.slice(k).toLowerCase().replace(/['’]/g, '');
    if (FIRST_WORDS.has(tail)) return k;
  }
  return -1;
}

const isPlaceWord = (w: string) => isUpper(w[0]) || isDigit(w[0]) || CONNECTORS.has(w.toLowerCase()) || /^[^\p{L}\d]+$/u.test(w);

export function splitLocationAndBody(rest: string): { location: string | null; body: string } {
  const s = rest.trim();
  const words = s.split(/(\s+)/); // keeps the spaces, so offsets add up
  const hasCapitalAhead = gluePointIn(s) >= 0;
  let offset = 0;
  let sawCapital = false;
  for (let w = 0; w < words.length; w += 2) {
    const word = words[w];
    const glue = gluePoint(word);
    if (glue > 0) return cut(s, offset + glue);
    const lowerCaseStart = !isPlaceWord(word);
    if (lowerCaseStart && (sawCapital || !hasCapitalAhead)) {
      const prev = w >= 2 ? words[w - 2] : '';
      const inPrev = gluedFirstWord(prev);
      if (inPrev > 0) return cut(s, offset - (words[w - 1]?.length ?? 0) - prev.length + inPrev);
      return cut(s, offset);
    }
    if (isUpper(word[0])) sawCapital = true;
    offset += word.length + (words[w + 1]?.length ?? 0);
  }
  // Every word looked like a place: the text may be one glued word at the end ("Vietnamwow").
  const last = words[words.length - 1] ?? '';
  const inLast = gluedFirstWord(last);
  if (inLast > 0) return cut(s, s.length - last.length + inLast);
  return { location: null, body: s };
}

function gluePointIn(s: string): number {
  let offset = 0;
  for (const part of s.split(/(\s+)/)) {
    const g = gluePoint(part);
    if (g > 0) return offset + g;
    offset += part.length;
  }
  return -1;
}

function cut(s: string, at: number): { location: string | null; body: string } {
  const location = s.slice(0, at).trim().replace(/[,;:\s]+$/, '');
  return { location: location || null, body: s.slice(at).trim() };
}
