// Load generator (child process): opens COUNT readers of one thread (socket.io-client, raw ws speaking socket.io's
// wire protocol, or raw ws to the baseline), and times each delivery against the send time carried in the comment body.
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

/**
 * A reader of the forum on a raw `ws` client speaking socket.io's wire protocol (engine.io v4 packets carrying
 * socket.io v5 ones): connect to the namespace, join the thread with an acknowledged event, answer pings, and take
 * the comment from each `comment:created` event. Per message it does what the baseline's readers do (one frame,
 * one JSON.parse), so the forum's figures with these readers are the server's own. One load-generator process holds
 * hundreds of readers, where a browser holds one: with socket.io-client each message costs the process that
 * library's work once per reader, in turn.
 */
function openWire(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cfg.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    closers.push(() => ws.terminate());
    const onBody = receiver();
    const JOIN_ACK = '431';
    ws.on('message', (data) => {
      const packet = String(data);
      if (packet === '2') ws.send('3'); // engine.io ping, pong
      else if (packet.startsWith('0')) ws.send('40'); // engine.io open: connect to the main namespace
      else if (packet.startsWith('40')) ws.send(`421${JSON.stringify(['thread:join', { slug: cfg.slug }])}`);
      else if (packet.startsWith('44')) reject(new Error(`connect refused: ${packet}`));
      else if (packet.startsWith(JOIN_ACK)) {
        const [reply] = JSON.parse(packet.slice(JOIN_ACK.length)) as [{ ok: boolean }];
        if (reply.ok) resolve();
        else reject(new Error(`join refused: ${packet}`));
      } else if (packet.startsWith('42["comment:created"')) onBody((JSON.parse(packet.slice(2)) as [string, { body: string }])[1].body);
    });
    ws.once('error', reject);
  });
}

async function connectAll() {
  const started = now();
  const open = { socketio: openSocketIo, 'socketio-wire': openWire, ws: openWs }[cfg.kind];
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
