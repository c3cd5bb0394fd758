// `npm run admin -- create-user ...` run as a child process against the test database.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUri } from '../helpers/database';
import { freshDbName, startTestForum, type TestForum } from '../helpers/forum';

function admin(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe('admin CLI: create-user', () => {
  const dbName = freshDbName('admin_cli');
  let forum: TestForum;
  let env: Record<string, string>;
  const dataDir = mkdtempSync(join(tmpdir(), 'chorus-admin-cli-'));

  before(async () => {
    const uri = new URL(await testDatabaseUri());
    uri.pathname = `/${dbName}`;
    env = { MONGODB_URI: uri.toString(), DATA_DIR: dataDir };
    forum = await startTestForum({}, { dbName });
  });
  after(async () => {
    await forum.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const login = (username: string, password: string) => forum.agent().post('/api/auth/login').send({ username, password });

  it('creates an admin who can log in to the running forum, printing one line', () => {
    const r = admin(['create-user', '--username', 'Boss', '--password', 'a long admin password', '--role', 'admin'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created admin Boss \(id [0-9a-f]{24}\)$/);
  });

  it('the account it made logs in with that role', async () => {
    const res = await login('boss', 'a long admin password').expect(200);
    assert.equal(res.body.role, 'admin');
    assert.equal(res.body.username, 'Boss');
  });

  it('updates the password and role of an existing account instead of making a second one, ending its sessions', async function () {
    this.timeout(40_000);
    const before = forum.agent();
    await before.post('/api/auth/login').send({ username: 'Boss', password: 'a long admin password' }).expect(200);
    await before.get('/api/auth/me').expect(200);
    const r = admin(['create-user', '--username', 'BOSS', '--password', 'a brand new password', '--role', 'moderator'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^updated moderator Boss /);
    await login('Boss', 'a long admin password').expect(401);
    const res = await login('Boss', 'a brand new password').expect(200);
    assert.equal(res.body.role, 'moderator');
    assert.equal(await forum.deps.db.conn.db!.collection('users').countDocuments({ usernameKey: 'boss' }), 1);
    // A reset (after a compromise, say) signs out whoever held a session from before it: the running forum learns of
    // a write from another process within its member cache's age (10 s).
    let status = 200;
    for (const end = Date.now() + 15_000; status === 200 && Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
      status = (await before.get('/api/auth/me')).status;
    }
    assert.equal(status, 401, 'the session from before the reset has ended');
    await forum.agent().post('/api/auth/login').send({ username: 'Boss', password: 'a brand new password' }).expect(200);
  });

  it('creates members by default', () => {
    const r = admin(['create-user', '--username', 'plain_member', '--password', 'member password 1'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created member plain_member /);
  });

  it('refuses bad arguments with exit 1 and a clear message', () => {
    for (const [args, message] of [
      [['create-user', '--username', 'x', '--password', 'long enough password'], /--username must be at least 3/],
      [['create-user', '--username', 'okname', '--password', 'short'], /--password must be at least 10/],
      [['create-user', '--username', 'okname', '--password', 'long enough password', '--role', 'king'], /^--role must be admin, moderator or member\nusage: npm run admin/],
      [['delete-user', '--username', 'okname'], /^unknown command "delete-user" \(the one command is create-user\)\nusage: npm run admin/],
      [['create-user', '--usrname', 'okname', '--password', 'long enough password'], /^unknown option --usrname \(the options are --username, --password, --role, --display-name\)\n/],
      [['create-user', '--username'], /^--username needs a value\n/],
      [[], /^no command given\nusage: npm run admin/],
    ] as const) {
      const r = admin([...args], env);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
    }
  });

  it('answers --help with what the command does and its options, and succeeds', () => {
    const r = admin(['--help'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: npm run admin -- create-user[\s\S]*--role ROLE +admin, moderator or member/);
    assert.equal(r.stderr, '');
  });

  it('works with no forum running: starts the embedded database of DATA_DIR for the moment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-admin-embedded-'));
    try {
      const first = admin(['create-user', '--username', 'solo', '--password', 'quiet harbour lamp one'], { DATA_DIR: dir });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^created member solo /);
      const again = admin(['create-user', '--username', 'solo', '--password', 'quiet harbour lamp two', '--role', 'admin'], { DATA_DIR: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^updated admin solo /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
