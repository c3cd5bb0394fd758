// Every bench writes its own section of BENCHMARKS.md: the section whose heading line starts with `heading` (up to
// the next `## ` heading) is replaced by `text`, which starts with that heading. A section not there yet goes right
// after the section headed `after`, or at the end. Notes kept outside the generated sections survive a rerun.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCHMARKS_MD = join(import.meta.dirname, '..', 'BENCHMARKS.md');

/** Where the section whose heading line starts with `heading` begins and ends (the next `## ` or the end). */
function sectionOf(doc: string, heading: string): { start: number; end: number } | null {
  const at = doc.startsWith(heading) ? -1 : doc.indexOf(`\n${heading}`);
  if (at < 0 && !doc.startsWith(heading)) return null;
  const start = at + 1;
  const next = doc.indexOf('\n## ', start + 3);
  return { start, end: next < 0 ? doc.length : next + 1 };
}

export function writeBenchSection(heading: string, text: string, opts: { after?: string; file?: string } = {}): void {
  const file = opts.file ?? BENCHMARKS_MD;
  const doc = readFileSync(file, 'utf8');
  const body = text.trimEnd() + '\n';
  const own = sectionOf(doc, heading);
  const anchor = own ?? (opts.after ? sectionOf(doc, opts.after) : null);
  if (!anchor) return writeFileSync(file, doc.trimEnd() + '\n\n' + body);
  const [from, to] = own ? [own.start, own.end] : [anchor.end, anchor.end];
  const rest = doc.slice(to);
  writeFileSync(file, doc.slice(0, from) + body + (rest ? '\n' + rest : ''));
}
