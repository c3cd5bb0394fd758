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
import type { ForumIo } from './types';

export interface AdapterHandle {
  close(): Promise<void>;
}

export function attachRedisAdapter(io: ForumIo, redis: Redis, prefix: string): AdapterHandle {
  // The adapter's own clients: a blocking XREAD and a subscriber must not share the forum's command client.
  const publisher = redis.duplicate();
  publisher.on('error', () => {});
  const spawned: Redis[] = [];
  const duplicate = publisher.duplicate.bind(publisher);
  // The adapter duplicates the client it is given for its reader and subscriber; keep them to close them.
  publisher.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const client = duplicate(...args);
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
