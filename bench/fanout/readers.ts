// Load generator (child process): opens COUNT readers of one thread, socket.io or raw ws, and times each
// delivery against the send time carried in the comment body.
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import { now, readMark, type FromReaders, type ReadersConfig, type ToReaders } from './protocol';

const cfg = JSON.parse(process.argv[2]) as ReadersConfig;
const send = (m: FromReaders) => process.send?.(m);

const seqs: number[] = [];
const arrivals: number[] = [];
let duplicates = 0;
let outOfOrder = 0;
const closers: (() => void)[] = [];

/** Per reader: remembers the last sequence number so duplicates and reordering are counted. */
function receiver() {
  let last = -1;
  return (body: string) => {
    const at = now();
    const mark = readMark(body);
    if (!mark) return;
    if (mark.seq === last) duplicates++;
    else if (mark.seq < last) outOfOrder++;
    last = Math.max(last, mark.seq);
    seqs.push(mark.seq);
    arrivals.push(at);
  };
}

function openSocketIo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(cfg.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
    });
    closers.push(() => socket.disconnect());
    const onBody = receiver();
    socket.on('comment:created', (c) => onBody(c.body));
    socket.once('connect_error', reject);
    socket.once('connect', () => {
      socket.timeout(20_000).emit('thread:join', { slug: cfg.slug }, (err, reply) => {
        if (err || !reply.ok) reject(err ?? new Error(JSON.stringify(reply)));
        else resolve();
      });
    });
  });
}

function openWs(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.url.replace(/^http/, 'ws'), { perMessageDeflate: false });
    closers.push(() => ws.terminate());
    const onBody = receiver();
    ws.on('message', (data) => onBody((JSON.parse(String(data)) as { body: string }).body));
    ws.once('error', reject);
    ws.once('open', () => resolve());
  });
}

async function connectAll() {
  const started = now();
  const open = cfg.kind === 'socketio' ? openSocketIo : openWs;
  let next = 0;
  let connected = 0;
  let failed = 0;
  const worker = async () => {
    while (next < cfg.count) {
      next++;
      try {
        await open();
        connected++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  send({ type: 'ready', connected, failed, ms: now() - started });
}

process.on('message', (m: ToReaders) => {
  if (m.type === 'count') {
    send({ type: 'count', received: seqs.length });
  } else if (m.type === 'report') {
    send({ type: 'report', seqs, arrivals, duplicates, outOfOrder });
  } else {
    for (const close of closers) close();
    setTimeout(() => process.exit(0), 200);
  }
});

connectAll().catch((err) => {
  console.error(err);
  process.exit(1);
});
