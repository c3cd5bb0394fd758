// Comment text -> VNodes: paragraphs (blank line), line breaks and automatic http(s) links, nothing else.
// One pure function for the server render and the browser, so user text is only ever a text node or an
// href that we checked; never innerHTML.
import type { ComponentChildren, VNode } from 'preact';

const LINK = /\bhttps?:\/\/[^\s<>"']+/gi;
// Punctuation that ends a sentence rather than a URL ("see https://x.org/a.").
const TRAILING = /[.,;:!?)\]}]+$/;

/** The safe href for a candidate URL, or null when it is not a plain http(s) URL. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits a URL match from the punctuation that follows it, keeping a closing paren the URL opened. */
function trimUrl(raw: string): [string, string] {
  const m = TRAILING.exec(raw);
  if (!m) return [raw, ''];
  let url = raw.slice(0, m.index);
  let rest = m[0];
  if (rest.startsWith(')') && url.includes('(') && !url.includes(')')) {
    url += ')';
    rest = rest.slice(1);
  }
  return [url, rest];
}

function linkify(line: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of line.matchAll(LINK)) {
    const [url, tail] = trimUrl(m[0]);
    const href = safeHref(url);
    const start = m.index ?? 0;
    if (start > last) out.push(line.slice(last, start));
    out.push(href ? <a href={href} rel="nofollow ugc noopener" target="_blank">{url}</a> : url);
    if (tail) out.push(tail);
    last = start + m[0].length;
  }
  if (last < line.length) out.push(line.slice(last));
  return out;
}

function paragraph(text: string): ComponentChildren[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => (i === 0 ? linkify(line) : [<br />, ...linkify(line)]));
}

/** The comment's paragraphs as <p> elements. */
export function renderText(body: string): VNode[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => <p>{paragraph(p)}</p>);
}
