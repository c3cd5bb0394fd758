// Expired sessions on the embedded database (no TTL indexes) are swept by the forum, with acknowledged deletes: an
// unacknowledged one (connect-mongo's own sweep, w: 0) gets an answer from FerretDB all the same, which the driver
// then hands to the next command on that connection, so one member's lookup was answered with another's document.
import assert from 'node:assert/strict';
import type { CommandStartedEvent } from 'mongodb';
import { signUp } from '../helpers/accounts';
import { testDatabaseUri } from '../helpers/database';
import { startTestForum, type TestForum } from '../helpers/forum';

const SWEEP_MS = 150;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sessions: the sweep of expired ones (embedded database)', () => {
  let forum: TestForum;
  const unacknowledged: string[] = [];
  before(async () => {
    const uri = await testDatabaseUri();
    // Every command the forum sends is watched: none may go without asking for the database's answer.
    forum = await startTestForum({}, { mongodbUri: `${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`, sessionSweepMs: SWEEP_MS });
    forum.deps.db.conn.getClient().on('commandStarted', (e: CommandStartedEvent) => {
      const wc = e.command.writeConcern as { w?: unknown } | undefined;
      if (wc?.w === 0) unacknowledged.push(`${e.commandName} ${JSON.stringify(e.command)}`);
    });
  });
  after(() => forum.close());

  it('removes expired sessions, keeps live ones, and every later lookup gets its own answer', async () => {
    const members = await Promise.all(['ana', 'bob', 'cara'].map((name) => signUp(forum, { displayName: name })));
    const sessions = forum.deps.db.conn.db!.collection<{ _id: string; expires: Date; session: string }>('sessions');
    const past = new Date(Date.now() - 60_000);
    await sessions.insertMany([1, 2, 3].map((n) => ({ _id: `expired-${n}`, expires: past, session: '{}' })));
    // A few sweeps go by while members read each other's profiles and their own.
    for (let round = 0; round < 6; round++) {
      await sleep(SWEEP_MS / 2);
      const answers = await Promise.all(
        members.flatMap((reader) =>
          members.map(async (m) => ({ asked: m.user.username, got: (await reader.agent.get(`/api/users/${m.user.username}`)).body.username as string | undefined })),
        ),
      );
      for (const { asked, got } of answers) assert.equal(got, asked, `round ${round}: asked for ${asked}`);
      for (const m of members) assert.equal((await m.agent.get('/api/auth/me').expect(200)).body.username, m.user.username);
    }
    assert.equal(await sessions.countDocuments({ _id: { $in: ['expired-1', 'expired-2', 'expired-3'] } }), 0, 'expired sessions swept');
    assert.equal(await sessions.countDocuments({ expires: { $gt: new Date() } }), 3, "the members' sessions kept");
    assert.deepEqual(unacknowledged, []);
  });
});
