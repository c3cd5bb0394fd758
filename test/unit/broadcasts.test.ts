import assert from 'node:assert/strict';
import { createBus } from '../../server/bus';
import { relayBusToRooms } from '../../server/realtime/broadcasts';
import type { ForumIo } from '../../server/realtime/types';

describe('bus to room broadcasts', () => {
  it('sends each event to its thread room once', () => {
    const sent: [string, string, unknown][] = [];
    const io = { to: (room: string) => ({ emit: (event: string, payload: unknown) => sent.push([room, event, payload]) }) } as unknown as ForumIo;
    const bus = createBus();
    const stop = relayBusToRooms(io, bus, () => assert.fail('no error expected'));
    bus.emit('comment.voted', { id: 'c1', songId: 's0', score: 3 });
    bus.emit('comment.removed', { id: 'c2', songId: 's1' });
    stop();
    bus.emit('comment.voted', { id: 'c1', songId: 's0', score: 4 });
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0].slice(1), ['comment:voted', { id: 'c1', score: 3 }]);
    assert.deepEqual(sent[1].slice(1), ['comment:removed', { id: 'c2', songId: 's1' }]);
    assert.deepEqual(sent.map(([room]) => room), ['thread:s0', 'thread:s1']);
  });

  it('reports a failing broadcast instead of throwing it back at the writer', () => {
    const io = { to: () => ({ emit: () => { throw new Error('redis is away'); } }) } as unknown as ForumIo;
    const bus = createBus();
    const errors: string[] = [];
    relayBusToRooms(io, bus, (err, event) => errors.push(`${event}: ${(err as Error).message}`));
    assert.doesNotThrow(() => bus.emit('comment.voted', { id: 'c1', songId: 's', score: 1 }));
    assert.deepEqual(errors, ['comment.voted: redis is away']);
  });
});
