// A reader's view of a thread, as the browser asks for it (no cookie, compressed): the API page and the song page's
// thread (its island data block), with their ETags.
import assert from 'node:assert/strict';
import type { CommentDTO, CommentPage } from '../../shared/types';
import type { TestForum } from './forum';

export interface Read {
  status: number;
  etag: string;
  items: CommentDTO[];
}

/** A reader's API page (no cookie), as the browser asks for it: compressed. */
export async function readApi(forum: TestForum, slug: string, query = 'limit=50', ifNoneMatch?: string): Promise<Read> {
  const req = forum.agent().get(`/api/songs/${slug}/comments?${query}`).set('accept-encoding', 'gzip, deflate, br');
  if (ifNoneMatch) req.set('if-none-match', ifNoneMatch);
  const res = await req;
  assert.ok(res.status === 200 || res.status === 304, `status ${res.status}: ${res.text}`);
  return { status: res.status, etag: res.headers.etag, items: res.status === 200 ? (res.body as CommentPage).items : [] };
}

/** A reader's song page: the thread as its HTML carries it (the island's data block). */
export async function readHtml(forum: TestForum, slug: string, ifNoneMatch?: string): Promise<Read & { html: string }> {
  const req = forum.agent().get(`/songs/${slug}`).set('accept-encoding', 'gzip, deflate, br');
  if (ifNoneMatch) req.set('if-none-match', ifNoneMatch);
  const res = await req;
  assert.ok(res.status === 200 || res.status === 304, `status ${res.status}`);
  if (res.status === 304) return { status: 304, etag: res.headers.etag, items: [], html: '' };
  const island = /<script type="application\/json" id="thread-data">([\s\S]*?)<\/script>/.exec(res.text);
  assert.ok(island, 'the song page carries its thread');
  return { status: 200, etag: res.headers.etag, items: (JSON.parse(island[1]) as { page: CommentPage }).page.items, html: res.text };
}

export const byId = (items: CommentDTO[], id: string) => items.find((c) => c.id === id);
