// The browser's calls to the HTTP API of ../shared/API.md; every failure becomes the API's own message.
import type { SocketPostPayload } from '../../shared/schemas';
import type { CommentDTO, CommentPage, ErrorBody, ErrorCode, ThreadSort, UserDTO, ViewerMarks, VoteValue } from '../../shared/types';
import { inWords } from '../../shared/words';

/** A failed call: the API's own code and message, or NETWORK / HTTP when there was no contract answer. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: ErrorCode | 'NETWORK' | 'HTTP', message: string) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { ...(body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'Could not reach the forum. Check your connection and try again.');
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  const json = (await res.json().catch(() => null)) as (T & ErrorBody) | null;
  // The API names fields by path ("body: is required"); a person reads "Your comment is required."
  if (!res.ok) throw new ApiFailure(res.status, json?.error?.code ?? 'HTTP', json?.error ? inWords(json.error.code, json.error.message) : `The forum answered ${res.status}.`);
  return json as T;
}

const enc = encodeURIComponent;
const thread = (slug: string) => `/api/songs/${enc(slug)}/comments`;

export const api = {
  /** Who the browser is signed in as now (401 when no one). */
  me: () => call<UserDTO>('GET', '/api/auth/me'),
  /** A moderator's action on a comment (the queue's buttons). */
  moderate: (id: string, action: string, reason: string, from?: CommentDTO['status']) =>
    call<CommentDTO>('POST', `/api/moderation/comments/${enc(id)}`, { action, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(from ? { from } : {}) }),
  page: (slug: string, sort: ThreadSort, cursor?: string | null) =>
    call<CommentPage>('GET', `${thread(slug)}?sort=${sort}&limit=50${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  after: (slug: string, afterId: string, cursor?: string | null) =>
    call<CommentPage>('GET', `${thread(slug)}?after=${enc(afterId)}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  post: (slug: string, input: Omit<SocketPostPayload, 'slug'>) =>
    call<CommentDTO>('POST', thread(slug), input),
  edit: (id: string, body: string, guestToken?: string | null) => call<CommentDTO>('PATCH', `/api/comments/${enc(id)}`, { body }, guestToken ? { 'x-guest-token': guestToken } : {}),
  remove: (id: string, guestToken?: string | null) => call<void>('DELETE', `/api/comments/${enc(id)}`, undefined, guestToken ? { 'x-guest-token': guestToken } : {}),
  replies: (id: string, cursor?: string | null) => call<CommentPage>('GET', `/api/comments/${enc(id)}/replies?limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  mine: (ids: string[]) => call<ViewerMarks>('GET', `/api/comments/mine?ids=${ids.map(enc).join(',')}`),
  readNotifications: () => call<{ unread: number }>('POST', '/api/notifications/read', {}),
  vote: (id: string, value: VoteValue) => call<{ id: string; score: number }>('POST', `/api/comments/${enc(id)}/votes`, { value }),
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
