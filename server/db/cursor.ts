// Opaque page cursors: base64url JSON of the last item's sort key and _id, tagged with the ordering they belong to.
import { Invalid } from '../errors';

export interface CursorValue {
  /** Which ordering the cursor continues (a cursor of another ordering is refused). */
  o: string;
  /** The sort key of the last item: epoch ms for dates, the number for scores. */
  k: number;
  /** The last item's id. */
  i: string;
}

export const encodeCursor = (c: CursorValue): string => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(raw: string, ordering: string): CursorValue {
  let c: Partial<CursorValue> | null = null;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    c = null;
  }
  // Sort keys are whole numbers (positions, scores, epoch ms): anything else is forged.
  const ok = c && typeof c === 'object' && Number.isSafeInteger(c.k) && typeof c.i === 'string' && /^[0-9a-f]{24}$/.test(c.i) && c.o === ordering;
  if (!ok) throw invalidCursor();
  return c as CursorValue;
}

export const invalidCursor = () => new Invalid('INVALID_CURSOR', 'The cursor is not valid for this list; start again without it.');
