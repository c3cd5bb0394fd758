// The forum under test (child process): one real instance (startForum) on the bench's database, with an admin
// to post through the ordinary API. Its RSS is what the memory figures measure.
import { pino } from 'pino';
import { registerUser } from '../../server/accounts/service';
import { loadConfig } from '../../server/config';
import { startForum } from '../../server/forum';
import { answerMemory, now, readMark, type EmitTimes } from './protocol';

const { mongodbUri, dbName, password } = JSON.parse(process.argv[2]) as { mongodbUri: string; dbName: string; password: string };

const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: process.env.FANOUT_DATA_DIR,
  SESSION_SECRET: 'fanout-bench-secret-fanout-bench',
  LOG_LEVEL: 'warn',
  DEMO_CONTENT: 'false',
  // The poster sends far faster than a person may; the bench measures fan-out, not the posting limit.
  POSTING_LIMIT_PER_MINUTE: '100000',
  READ_LIMIT_PER_MINUTE: '100000000',
  // Every simulated reader connects from 127.0.0.1.
  MAX_SOCKETS_PER_ADDRESS: '100000',
});
const forum = await startForum({ config, logger: pino({ level: config.logLevel }), mongodbUri, dbName });
await registerUser(forum.deps, { username: 'poster', password }, 'admin');
// When the service hands a comment to the bus, just before the room broadcast (the bench's only hook).
const emits: EmitTimes = [];
forum.deps.bus.prependListener('comment.created', ({ comment }) => {
  const mark = readMark(comment.body);
  if (mark) emits.push([mark.seq, now()]);
});
process.send?.({ type: 'listening', url: forum.url });

process.on('message', async (m: { type: string }) => {
  answerMemory(m);
  if (m.type === 'emits') process.send?.({ type: 'emits', emits: emits.splice(0) });
  if (m.type === 'close') {
    await forum.close();
    process.exit(0);
  }
});
