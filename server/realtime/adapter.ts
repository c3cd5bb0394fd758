// The socket.io adapter for several instances: @socket.io/redis-streams-adapter.
//
// Why streams and not the classic pub/sub adapter: a broadcast is appended to a Redis stream, so every
// packet has an offset that outlives the instance that sent it. Connection state recovery needs exactly that:
// a reader whose connection drops and comes back on ANY instance is replayed the packets after its last
// offset (XRANGE), and its session is kept in Redis, not in one process's memory. The pub/sub adapter has
// no history, so recovery would only work when the reader returns to the same instance.
// One stream carries every broadcast of the namespace in one order, so all readers see the same sequence.
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { whenReady } from '../redis';
import type { ForumIo } from './types';

export interface AdapterHandle {
  close(): Promise<void>;
}

export async function attachRedisAdapter(io: ForumIo, redis: Redis, prefix: string): Promise<AdapterHandle> {
  // The adapter's own clients: a blocking XREAD and a subscriber must not share the forum's command client.
  // The publisher keeps the forum's fail-fast options: while Redis is away a broadcast's XADD fails at once and the
  // adapter still delivers it to this instance's readers (cross-instance delivery resumes when Redis returns).
  const publisher = redis.duplicate();
  publisher.on('error', () => {});
  await whenReady(publisher, 5000);
  // While Redis was away, broadcasts reached only the readers of the instance that made them (a post racing the
  // outage's start can still succeed): once it is back, this instance's readers are told to catch up.
  let lost = false;
  publisher.on('close', () => (lost = true));
  publisher.on('ready', () => {
    if (lost) io.local.emit('thread:resync');
    lost = false;
  });
  // A few adapter commands are sent without anyone awaiting them (the session kept for recovery at each disconnect,
  // pub/sub requests): while Redis is away they must fail quietly, not as unhandled rejections.
  for (const command of ['set', 'publish'] as const) {
    const send = publisher[command].bind(publisher) as (...args: unknown[]) => Promise<unknown>;
    (publisher as unknown as Record<string, unknown>)[command] = (...args: unknown[]) => send(...args).catch(() => null);
  }
  const spawned: Redis[] = [];
  const duplicate = publisher.duplicate.bind(publisher);
  // The adapter duplicates the client it is given for its reader and subscriber; keep them to close them. Those two
  // wait out an outage instead of failing fast: the reader would otherwise spin on failing XREADs, and a subscription
  // sent before the connection is up would be lost. No command timeout: the reader's XREAD blocks on purpose.
  publisher.duplicate = (override?: Parameters<Redis['duplicate']>[0]) => {
    const client = duplicate({ ...override, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    spawned.push(client);
    return client;
  };
  io.adapter(
    createAdapter(publisher, {
      streamName: `${prefix}:sio:stream`,
      channelPrefix: `${prefix}:sio`,
      sessionKeyPrefix: `${prefix}:sio:session:`,
      // Events are JSON DTOs only: skip the adapter's walk looking for binary data.
      onlyPlaintext: true,
      // Short blocking reads so a closing instance stops its reader promptly.
      blockTimeInMs: 1000,
    }),
  );
  return {
    close: async () => {
      await io.of('/').adapter.close();
      for (const client of spawned) client.disconnect();
      await publisher.quit().catch(() => publisher.disconnect());
    },
  };
}
