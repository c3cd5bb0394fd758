// A failed login must not tell a known username from an unknown one by its timing: both make the same database
// round trips. Counted through the MongoDB driver's command monitoring, not by a clock.
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { verifyCredentials } from '../../server/accounts/service';
import type { Database } from '../../server/db/connection';
import { signUp } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

describe('accounts: a failed login does the same work for a known and an unknown username', () => {
  let forum: TestForum;
  let conn: mongoose.Connection;
  const commands: string[] = [];
  before(async () => {
    forum = await startTestForum();
    // A second connection to the same database that reports every command it sends.
    conn = await mongoose.createConnection(process.env.TEST_MONGODB_URI!, { dbName: forum.dbName, monitorCommands: true }).asPromise();
    conn.getClient().on('commandStarted', (e) => commands.push(`${e.commandName} ${String(e.command[e.commandName])}`));
  });
  after(async () => {
    await conn.close();
    await forum.close();
  });

  const roundTrips = async (username: string, password: string) => {
    commands.length = 0;
    const user = await verifyCredentials({ db: { conn } as Database }, username, password);
    return { user, commands: [...commands] };
  };

  it('looks up the user and a credential whether or not the username exists', async () => {
    const member = await signUp(forum);
    // Warm the connection and the models, so neither measured call pays a one-time cost.
    await roundTrips(member.user.username, member.password);
    const known = await roundTrips(member.user.username, 'a wrong password');
    const unknown = await roundTrips('nobody_by_that_name', 'a wrong password');
    assert.equal(known.user, null);
    assert.equal(unknown.user, null);
    assert.deepEqual(unknown.commands, known.commands);
    assert.deepEqual(known.commands, ['find users', 'find credentials']);
  });
});
