// Chorus under test (child process): one real instance (startForum) on the bench's database, logging at info as in
// production (to /dev/null, so the terminal is not measured), seeded with the thread the rows read.
import { destination } from 'pino';
import { benchConfig } from '../forum-config';
import { startForum } from '../../server/forum';
import { createLogger } from '../../server/logger';
import { seedThread } from '../threads/seed';
import type { FromServer } from './protocol';

const { mongodbUri, dbName, comments } = JSON.parse(process.argv[2]) as { mongodbUri: string; dbName: string; comments: number };
const send = (m: FromServer) => process.send?.(m);

// Logging at info as in production (the mixed row posts ten comments a second: benchConfig lifts the posting limit).
const config = benchConfig({ DATA_DIR: process.env.READS_DATA_DIR, LOG_LEVEL: process.env.READS_LOG_LEVEL ?? 'info' });
const forum = await startForum({ config, logger: createLogger(config, destination({ dest: '/dev/null', sync: true })), mongodbUri, dbName });
const { slug, cookie } = await seedThread(forum, comments);
send({ type: 'listening', url: forum.url, slug, cookie });

process.on('message', async (m: { type: string }) => {
  if (m.type === 'cpu') send({ type: 'cpu', ...process.cpuUsage() });
  if (m.type === 'close') {
    await forum.close();
    process.exit(0);
  }
});
