// The baseline (child process): a bare node `http` server that answers each request line with the bytes and
// headers Chorus sent for it, recorded once. What serving those pages costs when nothing is computed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FromServer, Recorded, Recordings } from './protocol';

const send = (m: FromServer) => process.send?.(m);
const replies = new Map<string, { status: number; headers: Recorded['headers']; body: Buffer }>();

const server = createServer((req, res) => {
  const reply = replies.get(`${req.method} ${req.url}`);
  // A posted body is read in full before the answer, as any server must.
  req.resume();
  req.on('end', () => {
    if (!reply) return res.writeHead(404, { 'content-length': '0' }).end();
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
});
server.keepAliveTimeout = 5000;

// The recordings come over IPC (too big for argv); the server listens once it has them.
process.on('message', (m: { type: string; recordings?: Recordings }) => {
  if (m.type === 'recordings') {
    for (const [line, r] of Object.entries(m.recordings!)) replies.set(line, { status: r.status, headers: r.headers, body: Buffer.from(r.body, 'base64') });
    server.listen(0, '127.0.0.1', () => send({ type: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  }
  if (m.type === 'cpu') send({ type: 'cpu', ...process.cpuUsage() });
  if (m.type === 'close') server.close(() => process.exit(0));
});
