// The browser's calls to the HTTP API of ../shared/API.md; every failure becomes the API's own message.
import type { ApiError, CommentDTO, CommentPage } from '../../shared/types';
import type { Sort } from './state';

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'Could not reach the forum. Check your connection and try again.');
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  const json = (await res.json().catch(() => null)) as (T & ApiError) | null;
  if (!res.ok) throw new ApiFailure(res.status, json?.error?.code ?? 'HTTP', json?.error?.message ?? `The forum answered ${res.status}.`);
  return json as T;
}

const enc = encodeURIComponent;
const thread = (slug: string) => `/api/songs/${enc(slug)}/comments`;

export const api = {
  page: (slug: string, sort: Sort, cursor?: string | null) =>
    call<CommentPage>('GET', `${thread(slug)}?sort=${sort}&limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  after: (slug: string, afterId: string, cursor?: string | null) =>
    call<CommentPage>('GET', `${thread(slug)}?after=${enc(afterId)}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  post: (slug: string, input: { body: string; parentId?: string | null; clientId: string; author?: { name: string; location?: string } }) =>
    call<CommentDTO>('POST', thread(slug), input),
  edit: (id: string, body: string) => call<CommentDTO>('PATCH', `/api/comments/${enc(id)}`, { body }),
  remove: (id: string) => call<void>('DELETE', `/api/comments/${enc(id)}`),
  vote: (id: string, value: 1 | 0 | -1) => call<{ id: string; score: number }>('POST', `/api/comments/${enc(id)}/votes`, { value }),
  flag: (id: string, reason: string) => call<void>('POST', `/api/comments/${enc(id)}/flags`, { reason }),
};

/** Every comment after `afterId`, following cursors: the catch-up after a long drop. */
export async function catchUp(slug: string, afterId: string): Promise<CommentDTO[]> {
  const out: CommentDTO[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: CommentPage = await api.after(slug, afterId, cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}
