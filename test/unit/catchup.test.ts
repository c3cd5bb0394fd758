// Where a reader's catch-up starts after a drop (shared/catchup.ts): a comment announced late (its post cut short,
// announced by the retry after later ones) must still be in the catch-up.
import assert from 'node:assert/strict';
import { catchUpMark, LATE_ANNOUNCEMENT_MS } from '../../shared/catchup';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 29) + ms).toISOString();

describe('catch-up mark', () => {
  it('starts where the reader started while it has nothing older than the window', () => {
    const mark = catchUpMark('rendered');
    assert.equal(mark.since(), 'rendered');
    mark.note({ id: 'a', createdAt: at(0) });
    mark.note({ id: 'b', createdAt: at(1000) });
    assert.equal(mark.since(), 'rendered', 'a and b are within the window: a comment written before them may come late');
    assert.equal(catchUpMark(null).since(), null, 'an empty thread: the whole thread');
  });

  it('starts after the newest comment written a window before the newest one had, so a late one is fetched again', () => {
    const mark = catchUpMark('rendered');
    mark.note({ id: 'old', createdAt: at(0) });
    mark.note({ id: 'older-than-window', createdAt: at(5000) });
    // Written at 20 s: the late comment (written at 19 s, announced after this one) would be skipped after 'new'.
    mark.note({ id: 'new', createdAt: at(5000 + LATE_ANNOUNCEMENT_MS + 1) });
    assert.equal(mark.since(), 'older-than-window');
    // The catch-up (or the late announcement itself) brings the late one; nothing moves back.
    mark.note({ id: 'late', createdAt: at(5000 + LATE_ANNOUNCEMENT_MS) });
    assert.equal(mark.since(), 'older-than-window');
  });

  it('orders by when comments were written, not by when they arrived, and ignores repeats', () => {
    const mark = catchUpMark(null);
    mark.note({ id: 'third', createdAt: at(30_000) });
    mark.note({ id: 'first', createdAt: at(0) });
    mark.note({ id: 'second', createdAt: at(15_000) });
    mark.note({ id: 'first', createdAt: at(0) });
    assert.equal(mark.since(), 'second');
  });

  it('in a thread busier than it remembers, starts after the oldest comment it remembers', () => {
    const mark = catchUpMark('rendered');
    for (let i = 0; i < 500; i++) mark.note({ id: `c${i}`, createdAt: at(i) });
    assert.equal(mark.since(), 'c300');
  });

  it('knows a comment it had, in the status it had it (an approval brings a held one again, as new)', () => {
    const mark = catchUpMark(null);
    mark.note({ id: 'a', createdAt: at(0), status: 'pending' });
    assert.equal(mark.knows({ id: 'a', createdAt: at(0), status: 'pending' }), true);
    assert.equal(mark.knows({ id: 'a', createdAt: at(0), status: 'visible' }), false);
    mark.note({ id: 'a', createdAt: at(0), status: 'visible' });
    assert.equal(mark.knows({ id: 'a', createdAt: at(0), status: 'visible' }), true);
    assert.equal(mark.knows({ id: 'b', createdAt: at(0), status: 'visible' }), false);
  });
});
