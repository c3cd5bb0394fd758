// Waiting on live events without the clock. To show that a reader did NOT get something, make a later event that
// socket.io must deliver after it (a comment posted afterwards to the same thread: one room's broadcasts reach a
// socket in the order they were sent, and across instances in the order of the Redis adapter's stream), wait for
// that one, then look.
import assert from 'node:assert/strict';
import type { CommentDTO } from '../../shared/types';
import { emitAck, type TestSocket } from './forum';

/** Records every `event` a socket receives, from now on. */
export function record<T = any>(socket: TestSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as any).on(event, (v: T) => seen.push(v));
  return seen;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until cond() holds (or ms pass; the assertion after it then tells what is missing). */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await sleep(20);
}

let seq = 0;

/**
 * Posts a comment to `slug` through `poster` and waits until each recording of `comment:created` has it:
 * whatever the thread's earlier broadcasts would have brought those readers has arrived by then.
 */
export async function barrier(poster: TestSocket, slug: string, readers: CommentDTO[][], ms = 5000): Promise<CommentDTO> {
  const reply = await emitAck(poster, 'comment:post', { slug, body: `barrier ${++seq}`, clientId: `barrier-${Date.now()}-${seq}` }, ms);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const id = reply.comment.id as string;
  await until(() => readers.every((got) => got.some((c) => c.id === id)), ms);
  readers.forEach((got, i) => assert.ok(got.some((c) => c.id === id), `reader ${i} got the barrier comment`));
  return reply.comment;
}
