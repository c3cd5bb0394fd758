import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, maskUri } from '../../server/config';

const tmp = () => mkdtempSync(join(tmpdir(), 'chorus-config-'));

describe('config', () => {
  it('has the defaults of the contract', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.mongodbUri, null);
    assert.equal(c.redisUrl, null);
    assert.equal(c.publicUrl, null);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.guestPosting, false);
    assert.equal(c.editWindowMs, 15 * 60_000);
    assert.equal(c.secureCookies, false);
    // The embedded database syncs its log as often as MongoDB's journal does.
    assert.equal(c.embeddedSyncMs, 100);
    assert.equal(loadConfig({ DATA_DIR: dir, EMBEDDED_DB_SYNC_MS: '0' }).embeddedSyncMs, 0);
    assert.ok(Object.isFrozen(c));
    // DATA_DIR defaults to ./data, where the process runs (a given secret keeps this test from writing one there).
    assert.equal(loadConfig({ SESSION_SECRET: 'x'.repeat(32) }).dataDir, resolve('data'));
  });

  it('generates a session secret once and keeps it in DATA_DIR', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
    assert.ok(first.length >= 32);
    assert.ok(existsSync(join(dir, 'session-secret')));
    assert.equal(readFileSync(join(dir, 'session-secret'), 'utf8').trim(), first);
    assert.equal(loadConfig({ DATA_DIR: dir }).sessionSecret, first);
    assert.equal(loadConfig({ DATA_DIR: dir, SESSION_SECRET: 'x'.repeat(20) }).sessionSecret, 'x'.repeat(20));
  });

  it('reads every variable of the contract', () => {
    const c = loadConfig({
      DATA_DIR: tmp(),
      PORT: '8080',
      HOST: '0.0.0.0',
      MONGODB_URI: 'mongodb://u:p@db.example:27017/chorus',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PUBLIC_URL: 'https://chorus.example/some/path',
      LOG_LEVEL: 'warn',
      GUEST_POSTING: 'true',
    });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.mongodbUri, 'mongodb://u:p@db.example:27017/chorus');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(c.publicUrl, 'https://chorus.example');
    assert.equal(c.secureCookies, true);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.guestPosting, true);
  });

  const bad: [string, string][] = [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MONGODB_URI', 'http://localhost'],
    ['REDIS_URL', 'localhost:6379'],
    ['PUBLIC_URL', 'chorus.example'],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_SECRET', 'short'],
    ['GUEST_POSTING', 'maybe'],
    ['EMBEDDED_DB_SYNC_MS', '-5'],
    ['EMBEDDED_DB_SYNC_MS', 'often'],
  ];
  for (const [name, value] of bad) {
    it(`stops on ${name}=${value} with one line naming it`, () => {
      assert.throws(
        () => loadConfig({ DATA_DIR: tmp(), [name]: value }),
        (err: Error) => err instanceof ConfigError && err.message.startsWith(`config: ${name} `) && !err.message.includes('\n'),
      );
    });
  }

  it('never shows a secret or a URL password in its error line', () => {
    for (const [name, value] of [
      ['SESSION_SECRET', 'hunter2'],
      ['MONGODB_URI', 'http://chorus:hunter2@db.example/x'],
      ['EMBEDDED_DB_POSTGRESQL_URL', 'mysql://chorus:hunter2@db.example/x'],
    ]) {
      assert.throws(
        () => loadConfig({ DATA_DIR: tmp(), [name]: value }),
        (err: Error) => err.message.startsWith(`config: ${name} `) && !err.message.includes('hunter2'),
      );
    }
  });

  it('masks the password in database URIs', () => {
    assert.equal(maskUri('mongodb://chorus:s3cret@db:27017/x'), 'mongodb://chorus:****@db:27017/x');
    assert.equal(maskUri('mongodb://127.0.0.1:27017/'), 'mongodb://127.0.0.1:27017/');
  });
});
