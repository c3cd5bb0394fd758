// The chaos run's clients, as real ones behave: posters that retry each post (one clientId) until it is acknowledged,
// over HTTP and over sockets, and readers that follow threads live and, after a reconnect that socket.io could not
// recover, fill the gap with `?after=LAST_ID` (the browser's logic, client/thread/live.ts). Every answer is recorded
// with what was down when it was asked.
import { io, type Socket } from 'socket.io-client';
import { catchUpMark, type CatchUpMark } from '../../shared/catchup';
import type { CommentDTO, CommentPage } from '../../shared/types';
import { sleep } from './processes';

/** What is down right now, as the schedule says: each answer is recorded under it. */
export const fault = { now: 'none' };

export class Recorder {
  /** phase -> answer ("http 201", "socket REDIS_UNAVAILABLE", "http refused") -> count. */
  readonly seen = new Map<string, Map<string, number>>();
  readonly violations: string[] = [];
  note(answer: string): void {
    const byPhase = this.seen.get(fault.now) ?? new Map<string, number>();
    this.seen.set(fault.now, byPhase.set(answer, (byPhase.get(answer) ?? 0) + 1));
  }
}

/** Answers a retrying client may get: success, the part-away 503s, in-flight 409, the refused connection of a dead process. */
const EXPECTED_HTTP = /^(200|201|409|503|refused|timeout|reset)$/;
const EXPECTED_ACK = /^(ok|DB_UNAVAILABLE|REDIS_UNAVAILABLE|CONFLICT|timeout|disconnected)$/;

export interface Ack {
  clientId: string;
  id: string;
  slug: string;
  via: 'http' | 'socket';
}

const errName = (err: unknown) => {
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as { name?: string }).name ?? '';
  return /ECONNREFUSED/.test(cause) ? 'refused' : /Timeout|Abort/.test(cause) ? 'timeout' : 'reset';
};

/** POSTs one comment until the forum acknowledges it (201, or 200 for a repeat), or the deadline passes. */
export async function postOverHttp(rec: Recorder, base: string, cookie: string | null, slug: string, payload: Record<string, unknown>, deadlineMs: number): Promise<Ack | null> {
  const end = Date.now() + deadlineMs;
  for (let attempt = 0; Date.now() < end; attempt++) {
    try {
      const res = await fetch(`${base}/api/songs/${slug}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => null)) as (CommentDTO & { error?: { code: string } }) | null;
      rec.note(`http ${res.status}${body?.error ? ` ${body.error.code}` : ''}`);
      if (!EXPECTED_HTTP.test(String(res.status))) rec.violations.push(`HTTP post answered ${res.status} ${JSON.stringify(body).slice(0, 200)} while ${fault.now}`);
      if ((res.status === 201 || res.status === 200) && body) return { clientId: String(payload.clientId), id: body.id, slug, via: 'http' };
    } catch (err) {
      rec.note(`http ${errName(err)}`);
    }
    await sleep(Math.min(150 * 2 ** attempt, 1000));
  }
  return null;
}

/** A member's socket, reconnecting by itself; posts wait for it to be connected. */
export function memberSocket(base: string, cookie: string): Socket {
  return io(base, { transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000, extraHeaders: { cookie } });
}

const connectedWithin = (s: Socket, ms: number) =>
  s.connected ? Promise.resolve(true) : new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('connect', () => (clearTimeout(t), resolve(true)));
  });

/** Emits comment:post until acknowledged with ok, or the deadline passes. */
export async function postOverSocket(rec: Recorder, s: Socket, slug: string, payload: Record<string, unknown>, deadlineMs: number): Promise<Ack | null> {
  const end = Date.now() + deadlineMs;
  for (let attempt = 0; Date.now() < end; attempt++) {
    if (!(await connectedWithin(s, 2000))) {
      rec.note('socket disconnected');
      // The server hung up on us (a restart): socket.io does not retry that by itself.
      if (!s.active) s.connect();
      continue;
    }
    try {
      const reply = await s.timeout(10_000).emitWithAck('comment:post', { slug, ...payload });
      const answer = reply.ok ? 'ok' : reply.error.code;
      rec.note(`socket ${answer}`);
      if (!EXPECTED_ACK.test(answer)) rec.violations.push(`socket post answered ${JSON.stringify(reply).slice(0, 200)} while ${fault.now}`);
      if (reply.ok) return { clientId: String(payload.clientId), id: reply.comment.id, slug, via: 'socket' };
    } catch {
      rec.note(`socket ${s.connected ? 'timeout' : 'disconnected'}`);
    }
    await sleep(Math.min(150 * 2 ** attempt, 1000));
  }
  return null;
}

/** A reader following threads: what it has seen of each, by comment id (and how many times it was delivered). */
export class Reader {
  readonly seen = new Map<string, Map<string, number>>();
  private readonly marks = new Map<string, CatchUpMark>();
  readonly socket: Socket;
  catchUps = 0;
  constructor(
    private readonly base: string,
    private readonly slugs: string[],
  ) {
    for (const slug of slugs) this.seen.set(slug, new Map()), this.marks.set(slug, catchUpMark(null));
    this.socket = io(base, { transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
    this.socket.on('connect', () => {
      if (this.socket.recovered) return;
      // The gap starts where the browser's does (shared/catchup.ts), marked before joining: one arriving live between
      // the join and its answer is newer than what was missed, and starting after it would skip the rest.
      for (const slug of slugs) {
        const since = this.marks.get(slug)!.since() ?? undefined;
        this.socket.emit('thread:join', { slug }, () => void this.fillGap(slug, since));
      }
    });
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => this.socket.connect(), 500);
    });
    this.socket.on('comment:created', (c: CommentDTO & { songSlug: string }) => this.add(c.songSlug, c));
    // Redis returned after an outage: catch up as the browser does.
    this.socket.on('thread:resync', () => {
      for (const slug of slugs) void this.fillGap(slug, this.marks.get(slug)!.since() ?? undefined);
    });
  }

  private add(slug: string, c: CommentDTO) {
    const seen = this.seen.get(slug);
    if (!seen) return;
    seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
    this.marks.get(slug)!.note(c);
  }

  /** Every visible comment after the last one this reader has (the whole thread when it has none), page by page. */
  private async fillGap(slug: string, since: string | undefined): Promise<void> {
    this.catchUps++;
    for (let tries = 0; tries < 50; tries++) {
      try {
        let cursor: string | null = null;
        do {
          const q = since ? `after=${since}&limit=100` : 'sort=oldest&limit=100';
          const res = await fetch(`${this.base}/api/songs/${slug}/comments?${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal: AbortSignal.timeout(5000) });
          if (!res.ok) throw new Error(String(res.status));
          const page = (await res.json()) as CommentPage;
          for (const c of page.items) if (!this.seen.get(slug)!.has(c.id)) this.add(slug, c);
          cursor = page.nextCursor;
        } while (cursor);
        return;
      } catch {
        await sleep(500);
      }
    }
  }

  close = () => this.socket.disconnect();
}
