// Lists kept sorted in memory (a thread's top order, the song list's order): where a mark falls among their rows.

/** Index of the first row that comes after `mark`, in rows sorted by `before` (negative: the row comes first). */
export function indexAfter<T, M>(rows: readonly T[], mark: M, before: (row: T, mark: M) => number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(rows[mid], mark) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
