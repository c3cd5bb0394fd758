// A client that goes while its address's count is being asked (with Redis, a round trip) must not keep its place:
// the cap would refuse that address's next sockets for as long as the process runs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { createConnectionCounter, limitConnectionsPerAddress, type ConnectionCounter } from '../../server/realtime/connection-limit';
import type { ForumIo } from '../../server/realtime/types';

describe('live: sockets per address, a client gone mid-handshake', () => {
  it('gives its place back, so the address can connect again at a cap of one', async () => {
    const http = createServer();
    const io = new Server(http) as unknown as ForumIo;
    const counted = createConnectionCounter(1, null, 'test', pino({ level: 'silent' }));
    // The first admission waits until the test lets it answer, as a slow Redis would.
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    let asked = 0;
    const counter: ConnectionCounter = {
      ...counted,
      admit: async (address, id) => {
        if (++asked === 1) await held;
        return counted.admit(address, id);
      },
    };
    limitConnectionsPerAddress(io, counter, () => '203.0.113.7', 1);
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const open = () => ioClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      const gone = open();
      // The middleware is asking about it: the client leaves, then the answer comes.
      while (asked === 0) await new Promise((r) => setTimeout(r, 10));
      gone.disconnect();
      while (io.engine.clientsCount > 0) await new Promise((r) => setTimeout(r, 10));
      answer();
      await new Promise((r) => setTimeout(r, 50));

      const next = open();
      const outcome = await new Promise<string>((resolve) => {
        next.once('connect', () => resolve('connected'));
        next.once('connect_error', (err) => resolve(`refused: ${err.message}`));
      });
      next.disconnect();
      assert.equal(outcome, 'connected');
    } finally {
      counted.close();
      io.close();
    }
  });
});
