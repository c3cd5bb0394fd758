import assert from 'node:assert/strict';
import { createSongActivityOrder, type SongActivity } from '../../server/songs/activity-order';

const id = (n: number) => n.toString(16).padStart(24, '0');
const ids = (rows: SongActivity[]) => rows.map((s) => s.id);

describe('the song list order kept in memory', () => {
  const songs: SongActivity[] = [
    { id: id(1), at: 100, key: 'waterloo sunset the kinks' },
    { id: id(2), at: 300, key: 'dreams fleetwood mac' },
    { id: id(3), at: 200, key: 'days the kinks' },
    // Same activity as song 3: the newer song comes first.
    { id: id(4), at: 200, key: 'gypsy fleetwood mac' },
  ];

  it('lists newest activity first, then the newer song, and pages after a mark and within a search', async () => {
    const order = createSongActivityOrder(async () => songs, { ttlMs: 1000 });
    assert.deepEqual(ids(await order.page(10, null, '')), [id(2), id(4), id(3), id(1)]);
    assert.deepEqual(ids(await order.page(2, { at: 200, id: id(4) }, '')), [id(3), id(1)]);
    assert.deepEqual(ids(await order.page(10, null, 'kinks')), [id(3), id(1)]);
    assert.deepEqual(ids(await order.page(1, { at: 300, id: id(2) }, 'fleetwood')), [id(4)]);
  });

  it('moves a song at once when its activity moves, never back', async () => {
    const order = createSongActivityOrder(async () => songs, { ttlMs: 1000 });
    await order.page(1, null, '');
    order.touch({ id: id(1), at: 400 });
    assert.deepEqual(ids(await order.page(10, null, '')), [id(1), id(2), id(4), id(3)]);
    order.touch({ id: id(1), at: 50 });
    assert.equal((await order.page(1, null, ''))[0].id, id(1), 'an older activity does not move it back');
    order.touch({ id: id(9), at: 250 });
    assert.ok(!ids(await order.page(10, null, '')).includes(id(9)), 'a song it does not know waits for the next read');
  });

  it('reads again once older than its time to live, serving the order it has meanwhile, and keeps what moved during the read', async () => {
    let clock = 0;
    let reads = 0;
    let release!: () => void;
    let current = songs;
    const order = createSongActivityOrder(
      async () => {
        reads++;
        if (reads > 1) await new Promise<void>((r) => (release = r));
        return current;
      },
      { ttlMs: 1000, now: () => clock },
    );
    await order.page(1, null, '');
    // Another instance posted in song 3 and an import added song 5; this instance then posts in song 1.
    current = [...songs.filter((s) => s.id !== id(3)), { id: id(3), at: 500, key: 'days the kinks' }, { id: id(5), at: 50, key: 'imported' }];
    clock = 1001;
    assert.deepEqual(ids(await order.page(10, null, '')), [id(2), id(4), id(3), id(1)], 'the stale order serves while it is read again');
    order.touch({ id: id(1), at: 600 });
    release();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(ids(await order.page(10, null, '')), [id(1), id(3), id(2), id(4), id(5)]);
    assert.equal(reads, 2);
  });

  it('reads again before answering once songs were written elsewhere (the mark moved), and not otherwise', async () => {
    let mark = 'a';
    let reads = 0;
    let current = songs;
    const order = createSongActivityOrder(async () => (reads++, current), { ttlMs: 60_000, mark: async () => mark });
    await order.page(10, null, '');
    await order.page(10, null, '');
    assert.equal(reads, 1);
    // An import in another process added a song and moved the mark.
    current = [...songs, { id: id(7), at: 1000, key: 'imported' }];
    mark = 'b';
    assert.deepEqual(ids(await order.page(1, null, '')), [id(7)]);
    assert.equal(reads, 2);
  });

  it('reads once more when the mark moved while a read was already under way', async () => {
    let clock = 0;
    let mark = 'a';
    let current = songs;
    let hold: Promise<void> | null = null;
    const order = createSongActivityOrder(
      async () => {
        const seen = current;
        if (hold) await hold;
        return seen;
      },
      { ttlMs: 1000, now: () => clock, mark: async () => mark },
    );
    await order.page(1, null, '');
    // A read after the time to live starts, and sees the songs as they were...
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    clock = 1001;
    await order.page(1, null, '');
    // ...then an import lands: the next page must not answer from that read.
    hold = null;
    current = [...songs, { id: id(8), at: 2000, key: 'imported meanwhile' }];
    mark = 'b';
    const next = order.page(1, null, '');
    release();
    assert.deepEqual(ids(await next), [id(8)]);
  });
});
