// The baseline (child process): a bare `ws` server that broadcasts each message of its poster to every other
// connection, serialised once like socket.io's broadcast. No rooms, no database, no protocol on top.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { answerMemory, now, type EmitTimes } from './protocol';

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const readers = new Set<WebSocket>();
const emits: EmitTimes = [];

wss.on('connection', (ws, req) => {
  if (req.url === '/post') {
    // The poster sends a comment DTO; the server relays it as the forum would relay comment:created.
    // Named, so that a CPU profile finds the broadcast (bench/fanout/profiles.ts).
    ws.on('message', function relay(data) {
      const frame = String(data);
      const seq = /"body":"fanout#(\d+)@/.exec(frame)?.[1];
      if (seq !== undefined) emits.push([Number(seq), now()]);
      for (const r of readers) r.send(frame);
    });
    return;
  }
  readers.add(ws);
  ws.on('close', () => readers.delete(ws));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', url: `http://127.0.0.1:${port}` });
});

process.on('message', (m: { type: string }) => {
  answerMemory(m);
  if (m.type === 'emits') process.send?.({ type: 'emits', emits: emits.splice(0) });
  if (m.type === 'close') process.exit(0);
});
