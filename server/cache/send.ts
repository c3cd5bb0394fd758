// Sends a cached page as it is kept: the encoding the client takes (br, else gzip, else the plain bytes), its strong
// ETag, and 304 when the client already holds this version of the page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedPage } from './thread-cache';

/** An encoding the Accept-Encoding header takes (named, and not with q=0). */
export const takes = (header: string, encoding: string) =>
  header.split(',').some((part) => {
    const [name, ...params] = part.split(';');
    if (name.trim().toLowerCase() !== encoding) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });

/** True when If-None-Match names this page (in any encoding) or is `*`. */
export function alreadyHeld(ifNoneMatch: string | undefined, page: CachedPage): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const { identity, gzip, br } = page.etags;
  // Weak comparison (RFC 9110 for If-None-Match): W/ prefixes are ignored.
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === identity || t === gzip || t === br;
  });
}

/**
 * `cacheControl` is the route's own. Vary names Cookie too: a signed-in member's answer is another one. no-transform
 * keeps the compression middleware off bytes that are already in their final form.
 */
export function sendCached(req: IncomingMessage, res: ServerResponse, page: CachedPage, cacheControl: string): void {
  res.setHeader('Vary', 'Accept-Encoding, Cookie');
  res.setHeader('Cache-Control', `${cacheControl}, no-transform`);
  const accept = req.headers['accept-encoding'] ?? '';
  const [body, encoding, etag] = takes(accept, 'br') ? [page.br, 'br', page.etags.br] : takes(accept, 'gzip') ? [page.gzip, 'gzip', page.etags.gzip] : [page.identity, null, page.etags.identity];
  res.setHeader('ETag', etag);
  if (alreadyHeld(req.headers['if-none-match'], page)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', page.type);
  res.setHeader('Content-Length', body.length);
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.end(req.method === 'HEAD' ? undefined : body);
}
