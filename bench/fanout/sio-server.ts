// A second baseline for memory per idle reader (child process): a bare socket.io server with the forum's engine
// options (server/realtime/io.ts: transports, no compression, the buffer cap, connection state recovery) and none of
// the forum's code: no session, no limits, no presence. Readers join one room, as they join a thread on the forum.
// Between it and bare ws is what socket.io itself keeps per connection; between it and the forum, what the forum adds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { answerMemory } from './protocol';

const server = createServer();
const io = new Server(server, {
  serveClient: false,
  transports: ['websocket', 'polling'],
  perMessageDeflate: false,
  maxHttpBufferSize: 100_000,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
});
io.on('connection', (socket) => {
  socket.on('thread:join', (_payload: unknown, ack: (r: object) => void) => {
    void socket.join('thread:x');
    ack({ ok: true, presence: io.of('/').adapter.rooms.get('thread:x')?.size ?? 0 });
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', url: `http://127.0.0.1:${port}` });
});

process.on('message', (m: { type: string }) => {
  answerMemory(m);
  if (m.type === 'close') process.exit(0);
});
