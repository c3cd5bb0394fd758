// What the fan-out bench's processes say to each other over IPC, and the marker a poster puts in each comment.
import { writeHeapSnapshot } from 'node:v8';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();

/** A comment body carrying its sequence number and send time, padded to a typical comment's length. */
export function markedBody(seq: number, sentAt: number): string {
  return `fanout#${seq}@${sentAt.toFixed(3)}# ` + 'This chorus gets me every single time, the way the harmony lifts in the last bar. '.repeat(2);
}

export function readMark(body: string): { seq: number; sentAt: number } | null {
  const m = /^fanout#(\d+)@([\d.]+)#/.exec(body);
  return m ? { seq: Number(m[1]), sentAt: Number(m[2]) } : null;
}

/**
 * Who serves and who reads: `ws` the bare baseline and its raw WebSocket readers; `socketio` the forum read with
 * socket.io-client (what the browser runs); `socketio-wire` the forum read by raw WebSocket clients that speak
 * socket.io's wire protocol (readers.ts), so its readers do the same work per message as the baseline's.
 */
export type Kind = 'socketio' | 'socketio-wire' | 'ws';

/** A profiled child of a run (FANOUT_PROF_DIR): a server, or a load generator holding `readers` of the thread. */
export interface ProfiledProcess {
  pid: number | undefined;
  role: 'server' | 'readers';
  kind: Kind;
  readers: number;
  /** Comments posted in its scenario, warm-up included. */
  comments: number;
}

export interface ReadersConfig {
  kind: Kind;
  url: string;
  slug: string;
  count: number;
  /** Connections opened at once while connecting. */
  concurrency: number;
}

export type ToReaders = { type: 'count' } | { type: 'report' } | { type: 'close' };
export type FromReaders =
  | { type: 'ready'; connected: number; failed: number; ms: number }
  | { type: 'count'; received: number }
  | { type: 'report'; seqs: number[]; arrivals: number[]; duplicates: number; outOfOrder: number };

/** A server's record of when it handed each comment to its broadcast (seq, time). */
export type EmitTimes = [number, number][];

/** Collects garbage where the process was started with --expose-gc (both servers are, by run.ts and heap.ts). */
const collect = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * A server's answer to the bench's memory questions: `{type: 'rss'}` (run.ts) gets the resident set after a full
 * collection, so what is measured is what the connections hold, not how much of their set-up's garbage happens to be
 * uncollected at that moment (it swung one server's figure by half from round to round); `{type: 'heap', path}`
 * (heap.ts) gets a heap snapshot written after collecting garbage.
 */
export function answerMemory(m: { type: string; path?: string }): void {
  if (m.type === 'rss') {
    collect();
    process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
  }
  if (m.type !== 'heap' || !m.path) return;
  collect();
  writeHeapSnapshot(m.path);
  process.send?.({ type: 'heap', heapUsed: process.memoryUsage().heapUsed });
}
