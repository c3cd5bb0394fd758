// The in-memory `top` order of threads on the embedded database: its order, its pages by cursor, and moves.
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { createTopOrders, firstAfter, placeRow, rankBefore, type Ranked } from '../../server/comments/store/top';

const id = (n: number) => n.toString(16).padStart(24, '0');
const ids = (rows: Ranked[]) => rows.map((r) => r.id);
// Ids grow with age, as ObjectIds do: a smaller id is an older comment.
const THREAD: Ranked[] = [
  { id: id(5), score: 0 },
  { id: id(1), score: 3 },
  { id: id(4), score: 3 },
  { id: id(2), score: -1 },
  { id: id(3), score: 7 },
  { id: id(6), score: 3 },
];
const TOP = [id(3), id(1), id(4), id(6), id(5), id(2)];

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('top order (embedded database)', () => {
  const song = new Types.ObjectId();
  /** Orders over one thread's rows (a copy each read, as a database read would give), counting the reads. */
  function orders(rows: Ranked[] = THREAD, opts: { ttlMs?: number; maxThreads?: number; now?: () => number } = {}) {
    let reads = 0;
    const top = createTopOrders(
      async () => {
        reads++;
        return rows.map((r) => ({ ...r }));
      },
      { ttlMs: opts.ttlMs ?? 30_000, maxThreads: opts.maxThreads ?? 500, now: opts.now },
    );
    return { top, reads: () => reads };
  }

  it('puts the highest score first and, on equal scores, the older comment first', async () => {
    assert.deepEqual(ids([...THREAD].sort(rankBefore)), TOP);
    assert.deepEqual(ids(await orders().top.ids(song, 10)), TOP);
  });

  it('continues a page after its last row, every comment once, whatever the page size', async () => {
    const { top, reads } = orders();
    for (const want of [1, 2, 4, 6, 10]) {
      const seen: string[] = [];
      let after: Ranked | undefined;
      for (let page = await top.ids(song, want); page.length > 0; page = await top.ids(song, want, after)) {
        assert.ok(page.length <= want);
        assert.ok(seen.length < TOP.length, `pages of ${want} go on past the end: ${seen.join(' ')}`);
        seen.push(...ids(page));
        after = page.at(-1);
      }
      assert.deepEqual(seen, TOP, `pages of ${want}`);
    }
    assert.equal(reads(), 1, 'one read serves every page while the order is fresh');
  });

  it('continues after a cursor whose comment is gone or has moved, from the place the cursor names', async () => {
    const { top } = orders(THREAD.filter((r) => r.id !== id(4)));
    // The cursor (score 3, id 4) names a comment no longer in the order: the next page starts after that place.
    assert.deepEqual(ids(await top.ids(song, 2, { id: id(4), score: 3 })), [id(6), id(5)]);
    // A cursor between scores (score 1) continues with the first lower score.
    const sorted = [...THREAD].sort(rankBefore);
    assert.equal(firstAfter(sorted, { id: id(9), score: 1 }), 4);
    assert.deepEqual(ids(await top.ids(song, 10, { id: id(9), score: 1 })), [id(5), id(2)]);
    // Past the end: nothing more.
    assert.deepEqual(await top.ids(song, 10, { id: id(2), score: -1 }), []);
  });

  it('moves a voted comment to its new place, once, and places a new comment where its score puts it', async () => {
    const { top } = orders();
    await top.ids(song, 1); // the order is kept from here on
    top.move(song, id(2), 3); // -1 -> 3: among the 3s, before the younger ones
    assert.deepEqual(ids(await top.ids(song, 10)), [id(3), id(1), id(2), id(4), id(6), id(5)]);
    top.move(song, id(3), 0); // 7 -> 0: before the younger comment with 0
    top.move(song, id(7), 0); // a new comment with no votes: last among the 0s, being the youngest
    const order = await top.ids(song, 10);
    assert.deepEqual(ids(order), [id(1), id(2), id(4), id(6), id(3), id(5), id(7)]);
    assert.deepEqual(order.find((r) => r.id === id(3)), { id: id(3), score: 0 });
    // placeRow, the step each move takes, keeps any sorted rows sorted and each comment once.
    const rows = [...THREAD].sort(rankBefore);
    placeRow(rows, { id: id(5), score: 9 });
    assert.deepEqual(ids(rows), [id(5), id(3), id(1), id(4), id(6), id(2)]);
  });

  it('keeps a move made while the order is being read, which the read may have missed', async () => {
    const read = deferred<Ranked[]>();
    const top = createTopOrders(() => read.promise, { ttlMs: 30_000, maxThreads: 500 });
    const first = top.ids(song, 10);
    top.move(song, id(2), 10); // a vote lands while the thread is read
    read.resolve(THREAD.map((r) => ({ ...r }))); // the read saw the old score
    assert.deepEqual(ids(await first), [id(2), ...TOP.filter((x) => x !== id(2))]);
  });

  it('reads a thread again once its order is older than the TTL, and keeps at most maxThreads threads', async () => {
    let clock = 0;
    const { top, reads } = orders(THREAD, { ttlMs: 1000, maxThreads: 2, now: () => clock });
    await top.ids(song, 1);
    clock = 1000;
    await top.ids(song, 1);
    assert.equal(reads(), 1, 'still fresh at the TTL');
    clock = 1001;
    await top.ids(song, 1);
    assert.equal(reads(), 2, 'read again past it');
    for (let i = 0; i < 3; i++) await top.ids(new Types.ObjectId(), 1);
    assert.equal(top.size, 2);
  });
});
