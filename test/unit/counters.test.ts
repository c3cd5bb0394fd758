// The per-key queue that keeps counter updates and position claims from overwriting each other on the embedded database.
import assert from 'node:assert/strict';
import { createKeyedQueue } from '../../server/comments/store/queue';

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every promise reaction already due run (a macrotask later; no clock involved). */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('counter updates one at a time per key', () => {
  it('runs work of one key one after another, in the order it came', async () => {
    const q = createKeyedQueue();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, i) =>
      q.run('comment:a', async () => {
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
        return i;
      }),
    );
    await settle();
    assert.deepEqual(log, ['start 0'], 'the second waits for the first');
    gates[2].resolve(); // the last one's gate opening early changes nothing: it has not started
    gates[0].resolve();
    await settle();
    assert.deepEqual(log, ['start 0', 'end 0', 'start 1']);
    gates[1].resolve();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
    assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs work of different keys at the same time', async () => {
    const q = createKeyedQueue();
    const slow = deferred();
    const first = q.run('comment:a', () => slow.promise.then(() => 'a'));
    // Another document's update finishes while the first document's is still waiting.
    assert.equal(await q.run('comment:b', async () => 'b'), 'b');
    slow.resolve();
    assert.equal(await first, 'a');
  });

  it('goes on with the next work of a key after one fails, and gives the failure to its own caller only', async () => {
    const q = createKeyedQueue();
    const failing = q.run('song:s', async () => {
      throw new Error('write failed');
    });
    const next = q.run('song:s', async () => 'written');
    await assert.rejects(failing, /write failed/);
    assert.equal(await next, 'written');
  });

  it('forgets a key once nothing is queued for it, so the queue does not grow with every comment', async () => {
    const q = createKeyedQueue();
    const gate = deferred();
    const runs = [q.run('a', () => gate.promise), q.run('a', async () => {}), q.run('b', async () => {})];
    assert.equal(q.size, 2);
    await runs[2];
    await settle();
    assert.equal(q.size, 1, 'b is forgotten, a still has work');
    gate.resolve();
    await Promise.all(runs);
    await settle();
    assert.equal(q.size, 0);
    await q.run('c', async () => Promise.reject(new Error('no'))).catch(() => {});
    await settle();
    assert.equal(q.size, 0, 'a failed call is forgotten too');
    for (let i = 0; i < 100; i++) await q.run(`comment:${i}`, async () => i);
    await settle();
    assert.equal(q.size, 0);
  });
});
