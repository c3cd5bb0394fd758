// The per-key lock in Redis that keeps several instances' counter moves on one embedded database from overwriting
// each other (server/comments/store/redis-queue.ts), against the real Redis the suites use.
import assert from 'node:assert/strict';
import { createRedisKeyedQueue, createRedisLocks } from '../../server/comments/store/redis-queue';
import { Unavailable } from '../../server/errors';
import { FAIL_FAST, isRedisUnavailable } from '../../server/redis';
import { testRedisClients } from '../helpers/forum';

describe('counter locks in Redis', () => {
  /** One lock client, as one forum instance has: its own connection. */
  const { prefix, client, close } = testRedisClients('locks');
  after(close);

  it('lets one client at a time run work of a key: read-then-write from two clients loses nothing', async () => {
    const one = createRedisKeyedQueue(client(), { prefix });
    const two = createRedisKeyedQueue(client(), { prefix });
    const probe = client();
    let value = 0;
    let inside = 0;
    let most = 0;
    // A read-modify-write with a Redis round trip between the read and the write, like FerretDB's $inc.
    const increment = async () => {
      most = Math.max(most, ++inside);
      const read = value;
      await probe.ping();
      value = read + 1;
      inside--;
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).run('comment:hot', increment)));
    assert.equal(value, 60, 'no increment lost');
    assert.equal(most, 1, 'never two holders at once');
  });

  it('runs different keys side by side', async () => {
    const locks = createRedisLocks(client(), { prefix });
    const first = await locks.acquire('comment:x');
    // Held x does not hold up y (a wait on y would end in Unavailable after waitMs).
    const second = await createRedisLocks(client(), { prefix, waitMs: 0 }).acquire('comment:y');
    assert.equal(await second.release(), true);
    assert.equal(await first.release(), true);
  });

  it('is let go only by the lease that took it, and a lapsed lease leaves the key to the next holder', async () => {
    const redis = client();
    // No renewal: this holder's lease lapses as a crashed one's would.
    const stale = await createRedisLocks(client(), { prefix, leaseMs: 200, renewEveryMs: 0 }).acquire('song:s');
    const next = await createRedisLocks(client(), { prefix, waitMs: 5000 }).acquire('song:s');
    assert.equal(await stale.release(), false, "a lapsed lease cannot release the next holder's lock");
    assert.ok(await redis.get(`${prefix}:lock:song:s`), 'the next holder still holds it');
    await assert.rejects(createRedisLocks(client(), { prefix, waitMs: 0 }).acquire('song:s'), Unavailable);
    assert.equal(await next.release(), true);
    assert.equal(await redis.get(`${prefix}:lock:song:s`), null);
  });

  it("takes a dead holder's key once its lease lapses", async () => {
    const doomed = client();
    await createRedisLocks(doomed, { prefix, leaseMs: 300 }).acquire('comment:dead');
    // The holder's process goes away mid-work: its renewals stop with its connection.
    doomed.disconnect();
    let ran = false;
    await createRedisLocks(client(), { prefix, waitMs: 10_000 }).run('comment:dead', async () => {
      ran = true;
    });
    assert.ok(ran);
  });

  it('renews a held lock while its work runs longer than the lease', async () => {
    const holder = createRedisLocks(client(), { prefix, leaseMs: 300, renewEveryMs: 50 });
    const other = createRedisLocks(client(), { prefix, leaseMs: 300, waitMs: 900 });
    const lease = await holder.acquire('comment:slow');
    // The other client waits three leases and gives up: the renewed lock never lapsed.
    await assert.rejects(other.acquire('comment:slow'), (err: unknown) => err instanceof Unavailable && err.code === 'REDIS_UNAVAILABLE');
    assert.equal(lease.lost, false);
    assert.equal(await lease.release(), true);
  });

  it('refuses at once, without running the work, while Redis is away (503 REDIS_UNAVAILABLE upstream)', async () => {
    const away = client('redis://127.0.0.1:1', { ...FAIL_FAST, retryStrategy: () => null });
    away.on('error', () => {});
    let ran = false;
    await assert.rejects(
      createRedisKeyedQueue(away, { prefix }).run('comment:any', async () => {
        ran = true;
      }),
      (err: unknown) => isRedisUnavailable(err),
    );
    assert.equal(ran, false, 'nothing is written unguarded');
  });
});
