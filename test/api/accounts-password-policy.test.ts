// Passwords a guesser tries first are refused wherever a password is set: registration (API and the page form),
// and the admin CLI (new accounts and password changes), each with a message that says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueUsername } from '../helpers/accounts';
import { freshDbName, startTestForum, type TestForum } from '../helpers/forum';

const WEAK: [password: string, why: RegExp][] = [
  ['1234567890', /common|sequence/],
  ['password12', /common/],
  [' '.repeat(10), /repeated/],
  ['qwertyuiop', /keyboard|common/],
];

describe('accounts: password policy', () => {
  const dbName = freshDbName('pwpolicy');
  let forum: TestForum;
  before(async () => (forum = await startTestForum({}, { dbName })));
  after(() => forum.close());

  const users = () => forum.deps.db.conn.db!.collection('users').countDocuments();
  const register = (body: object) => forum.agent().post('/api/auth/register').send(body);

  for (const [password, why] of WEAK) {
    it(`refuses ${JSON.stringify(password)} at registration with 400 VALIDATION saying why, storing nothing`, async () => {
      const before = await users();
      const res = await register({ username: uniqueUsername('weak'), password }).expect(400);
      assert.equal(res.body.error.code, 'VALIDATION');
      assert.match(res.body.error.message, /^password: /);
      assert.match(res.body.error.message, why);
      assert.deepEqual(res.body.error.details.map((d: { path: string }) => d.path), ['password']);
      assert.equal(await users(), before);
    });
  }

  it('refuses a password that is or holds the username or the display name', async () => {
    const username = uniqueUsername('alice');
    for (const body of [
      { username, password: username },
      { username, password: `${username}!x` },
      { username: uniqueUsername('bob'), password: 'marmalade sandwich 7', displayName: 'Marmalade' },
      { username: uniqueUsername('cy'), password: 'ana1984 plus tractor', displayName: 'Ana' },
    ]) {
      const res = await register(body).expect(400);
      assert.match(res.body.error.message, /^password: must not contain your username or display name/);
    }
    // A short name inside another word is not the name: Ana may have a banana.
    await register({ username: uniqueUsername('ana'), password: 'green banana telephone', displayName: 'Ana' }).expect(201);
  });

  it('accepts a passphrase of unrelated words', async () => {
    await register({ username: uniqueUsername('good'), password: 'velvet tractor orbit lemon' }).expect(201);
  });

  it('shows the reason next to the password field of the no-JavaScript register form', async () => {
    const res = await forum.agent().post('/register').set('origin', forum.url).type('form').send({ username: uniqueUsername('form'), password: 'password12' }).expect(400);
    assert.match(res.text, /id="f-password-error"[^>]*>Password is a commonly used password; try three or four unrelated words\./);
    // Back with the error: the title says so first, and the field in error has the focus.
    assert.match(res.text, /<title>Check the form: [^<]*<\/title>/);
    assert.match(res.text, /<input id="f-password" [^>]*autofocus/);
    assert.doesNotMatch(res.text, /<input id="f-username" [^>]*autofocus/);
  });

  describe('the admin CLI', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chorus-pwpolicy-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const admin = (args: string[]) => {
      const uri = new URL(process.env.TEST_MONGODB_URI!);
      uri.pathname = `/${dbName}`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', 'create-user', ...args], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', MONGODB_URI: uri.toString(), DATA_DIR: dataDir },
      });
      return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
    };

    it('refuses a weak password for a new account and for a password change, saying why', async () => {
      const made = admin(['--username', 'cli_policy', '--password', 'password12']);
      assert.equal(made.code, 1);
      assert.match(made.stderr, /password: is a commonly used password/);
      assert.equal(await forum.deps.db.conn.db!.collection('users').countDocuments({ usernameKey: 'cli_policy' }), 0);

      assert.equal(admin(['--username', 'cli_policy', '--password', 'velvet tractor orbit lemon']).code, 0);
      const change = admin(['--username', 'cli_policy', '--password', 'cli_policy_2024']);
      assert.equal(change.code, 1);
      assert.match(change.stderr, /password: must not contain your username/);
      await forum.agent().post('/api/auth/login').send({ username: 'cli_policy', password: 'velvet tractor orbit lemon' }).expect(200);
    });
  });

  it('keeps the password dictionaries out of the browser bundle', () => {
    const build = join(import.meta.dirname, '..', '..', 'public', 'build');
    const scripts = readdirSync(build).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.length > 0, 'the client is built');
    for (const f of scripts) assert.doesNotMatch(readFileSync(join(build, f), 'utf8'), /zxcvbn|passwords-common/i, f);
  });
});
