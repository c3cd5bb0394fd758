// Page cursors: opaque to clients, refused when forged or when they belong to another list order.
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, type CursorValue } from '../../server/db/cursor';
import { toErrorBody } from '../../server/http/errors';

const ID = '65a1b2c3d4e5f60718293a4b';
const raw = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function refused(cursor: string, ordering: string, why: string) {
  assert.throws(
    () => decodeCursor(cursor, ordering),
    (err: unknown) => toErrorBody(err).status === 400 && toErrorBody(err).body.error.code === 'INVALID_CURSOR',
    why,
  );
}

describe('page cursors', () => {
  it('gives back what it was made from, and is URL-safe', () => {
    for (const c of [
      { o: 'newest', k: 1_700_000_000_123, i: ID },
      { o: 'top', k: -3, i: ID },
      { o: 'oldest', k: 0, i: '000000000000000000000000' },
      { o: 'songs', k: Number.MAX_SAFE_INTEGER, i: 'ffffffffffffffffffffffff' },
    ] satisfies CursorValue[]) {
      const cursor = encodeCursor(c);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(decodeCursor(cursor, c.o), c);
    }
  });

  it('refuses a cursor of another ordering', () => {
    const cursor = encodeCursor({ o: 'newest', k: 5, i: ID });
    refused(cursor, 'oldest', 'newest cursor on the oldest order');
    refused(cursor, 'top', 'newest cursor on the top order');
  });

  it('refuses sort keys that are not whole numbers', () => {
    for (const k of [1.5, '12', null, true, [1], { $gt: 0 }, 2 ** 53, -(2 ** 60), 1e400]) {
      refused(raw({ o: 'top', k, i: ID }), 'top', `k = ${JSON.stringify(k)}`);
    }
    refused(raw(`{"o":"top","k":NaN,"i":"${ID}"}`), 'top', 'NaN is not JSON');
    refused(raw({ o: 'top', i: ID }), 'top', 'no k');
  });

  it('refuses ids that are not 24 lower-case hex digits', () => {
    for (const i of [ID.toUpperCase(), ID.slice(1), `${ID}0`, 'zzzzzzzzzzzzzzzzzzzzzzzz', '', 42, null, { $ne: null }, [ID]]) {
      refused(raw({ o: 'top', k: 1, i }), 'top', `i = ${JSON.stringify(i)}`);
    }
    refused(raw({ o: 'top', k: 1 }), 'top', 'no i');
  });

  it('refuses garbage: not base64, not JSON, not an object', () => {
    for (const cursor of ['', '!!!!', 'not a cursor', '%7B%7D', raw('{"o":"top"'), raw('null'), raw('[]'), raw('"top"'), raw('42'), raw({})]) {
      refused(cursor, 'top', JSON.stringify(cursor));
    }
  });
});
