// Request logging as an operator reads it: one line per write and per failure at info and up; successful reads only
// at debug, so the default level does not pay for a line on every page view.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { signUp } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

interface Line {
  level: number;
  msg: string;
  req?: { id: number; method: string; url: string; headers?: Record<string, string> };
  res?: { statusCode: number };
  responseTime?: number;
}

/** A forum whose log lines (at `level`) land in `lines`, through the forum's own logger and its redaction. */
async function forumLoggingAt(level: 'info' | 'debug') {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const logger = createLogger(loadConfig({ LOG_LEVEL: level, SESSION_SECRET: 'x'.repeat(20) }), sink);
  const forum = await startTestForum({ LOG_LEVEL: level }, { logger });
  return { forum, lines };
}

const requestLines = (lines: Line[]) => lines.filter((l) => l.msg === 'request completed' || l.msg === 'request aborted');
/** The request line of the newest request to `url` (lines are written when a response ends). */
async function lineFor(lines: Line[], method: string, url: string): Promise<Line | undefined> {
  for (let i = 0; i < 50; i++) {
    const found = requestLines(lines).find((l) => l.req?.method === method && l.req.url === url);
    if (found) return found;
    await new Promise((r) => setImmediate(r));
  }
  return undefined;
}

describe('request logging', () => {
  let info: { forum: TestForum; lines: Line[] };
  before(async () => (info = await forumLoggingAt('info')));
  after(() => info.forum.close());

  it('logs a write at info with its status and time, the session cookie redacted', async () => {
    const member = await signUp(info.forum);
    await member.agent.patch('/api/auth/me').send({ displayName: 'Logged' }).expect(200);
    const line = await lineFor(info.lines, 'PATCH', '/api/auth/me');
    assert.ok(line, 'the write was logged');
    assert.equal(line.level, 30);
    assert.equal(line.res?.statusCode, 200);
    assert.equal(typeof line.responseTime, 'number');
    assert.equal(line.req?.headers?.cookie, '[redacted]');
    assert.ok(!JSON.stringify(info.lines).includes(member.cookie.split('=')[1]), 'the session id never reaches the log');
  });

  it("never logs a guest's edit secret", async () => {
    const secret = 'guest-secret-'.padEnd(43, 'x');
    await info.forum.agent().delete('/api/comments/665f0000000000000000abcd').set('X-Guest-Token', secret).expect(404);
    const line = await lineFor(info.lines, 'DELETE', '/api/comments/665f0000000000000000abcd');
    assert.ok(line, 'the write was logged');
    assert.equal(line.req?.headers?.['x-guest-token'], '[redacted]');
    assert.ok(!JSON.stringify(info.lines).includes(secret));
  });

  it('logs failures at warn (4xx) but not successful reads at info', async () => {
    await info.forum.agent().get('/api/songs').expect(200);
    await info.forum.agent().get('/api/songs/no-such-song').expect(404);
    const failed = await lineFor(info.lines, 'GET', '/api/songs/no-such-song');
    assert.equal(failed?.level, 40);
    // The 404 was answered after the successful read, and lines are written as responses end: the read had its turn.
    assert.equal(
      requestLines(info.lines).find((l) => l.req?.url === '/api/songs'),
      undefined,
    );
  });

  it('logs successful reads too at debug, each request with its own number', async () => {
    const debug = await forumLoggingAt('debug');
    try {
      await debug.forum.agent().get('/api/songs').expect(200);
      await debug.forum.agent().get('/api/songs').expect(200);
      const reads = requestLines(debug.lines).filter((l) => l.req?.url === '/api/songs');
      assert.equal(reads.length, 2);
      assert.equal(reads[0].level, 20);
      assert.notEqual(reads[0].req?.id, reads[1].req?.id);
    } finally {
      await debug.forum.close();
    }
  });
});
