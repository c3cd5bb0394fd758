// The forum as an operator runs it: a real `npm start`-like process, signals, the embedded database's lifetime.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { startEmbedded } from '../../server/db/embedded';
import { embeddedAuth } from '../../server/db/resolve';
import { testDatabaseUri } from '../helpers/database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited process not yet reaped by init (a zombie) still answers signal 0, but runs nothing and holds no file.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (!alive(pid)) return true;
  return !alive(pid);
}

interface Started {
  child: ChildProcess;
  lines: Record<string, any>[];
  url: string;
  embeddedPid?: number;
}

/** Starts `tsx server/main.ts` and waits for its "listening" log line; onLine sees every log line as it comes. */
function startMain(env: Record<string, string>, onLine?: (entry: Record<string, any>) => void): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DEMO_CONTENT: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, any>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('forum did not start within 15 s')), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        lines.push(entry);
        onLine?.(entry);
        if (entry.msg === 'Chorus is listening') {
          clearTimeout(timer);
          resolve({ child, lines, url: entry.url, embeddedPid: lines.find((l) => l.msg === 'database')?.embeddedPid });
        }
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code) => reject(new Error(`forum exited with ${code} before listening`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('the forum process', function () {
  this.timeout(40_000);
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'chorus-proc-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('starts the embedded database, answers healthy, and stops everything on SIGTERM', async () => {
    const s = await startMain({ DATA_DIR: dataDir() });
    assert.ok(s.embeddedPid && alive(s.embeddedPid), 'the embedded database runs');
    assert.match(JSON.stringify(s.lines), /"db":"mongodb:\/\/chorus:\*\*\*\*@127\.0\.0\.1:\d+\/\?authSource=admin"/);
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', db: 'up' });

    const t0 = Date.now();
    s.child.kill('SIGTERM');
    assert.equal(await exited(s.child), 0);
    assert.ok(Date.now() - t0 < 10_000);
    assert.ok(await gone(s.embeddedPid!, 3000), 'the embedded database stopped with the forum');
  });

  it('finishes an in-flight request before exiting on SIGINT', async () => {
    const s = await startMain({ DATA_DIR: dataDir() });
    const { port } = new URL(s.url);
    // A request whose body is still arriving when the signal lands: the forum must answer it, not drop it.
    const answered = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json', 'content-length': '40' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('{"username":"someone",');
      setTimeout(() => s.child.kill('SIGINT'), 300);
      setTimeout(() => req.end('"password":"x"}'.padEnd(18, ' ')), 800);
    });
    const status = await answered;
    // The whole body arrived after the signal and was judged: an unknown member is refused, not cut off.
    assert.equal(status, 401);
    assert.equal(await exited(s.child), 0);
  });

  it('leaves no orphan database when the forum is killed outright', async () => {
    const s = await startMain({ DATA_DIR: dataDir() });
    s.child.kill('SIGKILL');
    await exited(s.child);
    assert.ok(await gone(s.embeddedPid!, 5000), 'the embedded database outlived a killed forum');
  });

  it('keeps DATA_DIR to its owner (0700, files 0600) and its database refuses clients without the password', async () => {
    const dir = dataDir();
    rmSync(dir, { recursive: true });
    const s = await startMain({ DATA_DIR: dir });
    try {
      const mode = (path: string) => statSync(path).mode & 0o777;
      assert.equal(mode(dir).toString(8), '700');
      assert.equal(mode(join(dir, 'db')).toString(8), '700');
      const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'db')).map((f) => join(dir, 'db', f))].filter((f) => statSync(f).isFile());
      for (const name of ['session-secret', 'db-secret', 'embedded-db.json', 'db.lock']) assert.ok(files.includes(join(dir, name)), name);
      assert.ok(files.some((f) => f.endsWith('.sqlite')), 'the database files are there');
      for (const f of files) assert.equal(mode(f).toString(8), '600', f);

      const port = /@127\.0\.0\.1:(\d+)/.exec(JSON.stringify(s.lines.find((l) => l.msg === 'database')))![1];
      const anonymous = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 3000 });
      await assert.rejects(anonymous.db('chorus').collection('probe').insertOne({ x: 1 }), /requires authentication/);
      await anonymous.close();
      const wrong = await MongoClient.connect(`mongodb://chorus:wrong@127.0.0.1:${port}/?authSource=admin`, { serverSelectionTimeoutMS: 3000 }).catch((e: Error) => e);
      assert.ok(wrong instanceof Error && /Authentication failed/.test(wrong.message), String(wrong));
    } finally {
      s.child.kill('SIGTERM');
      await exited(s.child);
    }
  });

  it('refuses to start a second database on DATA_DIR while another holds it, in one clear line', async () => {
    const dir = dataDir();
    const other = await startEmbedded({ dataDir: join(dir, 'db'), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir) });
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'warn', DEMO_CONTENT: 'false' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^chorus: failed to start: the embedded database files in .* are in use by another database process \\(pid ${other.pid}\\)`));
    } finally {
      await other.stop();
    }
  });

  it('waits for a database still shutting down on DATA_DIR, then starts its own', async () => {
    const dir = dataDir();
    const old = await startEmbedded({ dataDir: join(dir, 'db'), lockFile: join(dir, 'db.lock'), auth: embeddedAuth(dir) });
    const oldPid = old.pid!;
    // Like the orphan of a killed forum, the old database takes a while (1.5 s) to go once the new forum starts.
    let oldAliveAtNewStart: boolean | null = null;
    const s = await startMain({ DATA_DIR: dir }, (entry) => {
      if (entry.msg === 'starting the embedded database') setTimeout(() => void old.stop(), 1500);
      if (entry.msg === 'database') oldAliveAtNewStart = alive(oldPid);
    });
    try {
      assert.equal(oldAliveAtNewStart, false, 'the new database started while the old one still ran on the same files');
      assert.ok(s.embeddedPid && alive(s.embeddedPid));
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    } finally {
      s.child.kill('SIGTERM');
      await exited(s.child);
    }
  });

  it('restarts at once after a kill -9 without ever running two databases on the same files', async () => {
    const dir = dataDir();
    const first = await startMain({ DATA_DIR: dir });
    first.child.kill('SIGKILL');
    await exited(first.child);
    let orphanAliveAtNewStart: boolean | null = null;
    const second = await startMain({ DATA_DIR: dir }, (entry) => {
      if (entry.msg === 'database') orphanAliveAtNewStart = alive(first.embeddedPid!);
    });
    try {
      // The orphan of the first forum had let go of the files before the second forum's database took them.
      assert.equal(orphanAliveAtNewStart, false, 'the orphaned database still ran beside the new one');
      assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });

  it('starts no embedded database when MONGODB_URI is set', async () => {
    const uri = new URL(await testDatabaseUri());
    uri.pathname = '/t_process_external';
    const s = await startMain({ DATA_DIR: dataDir(), MONGODB_URI: uri.toString() });
    const dbLine = s.lines.find((l) => l.msg === 'database');
    assert.equal(dbLine?.embedded, false);
    assert.equal(dbLine?.embeddedPid, undefined);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    s.child.kill('SIGTERM');
    assert.equal(await exited(s.child), 0);
  });

  it('logs the database URI with its password masked, and fails start-up in one clear line when it is unreachable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir(), LOG_LEVEL: 'info', MONGODB_URI: 'mongodb://chorus:hunter2hunter2@127.0.0.1:9/chorus' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /mongodb:\/\/chorus:\*\*\*\*@127\.0\.0\.1:9\/chorus/);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^chorus: MONGODB_URI mongodb:\/\/chorus:\*\*\*\*@127\.0\.0\.1:9\/chorus does not answer: /);
  });

  it('names PORT when another program holds it, and HOST when it is not this machine\'s, in one line each', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const taken = (holder.address() as AddressInfo).port;
    const uri = new URL(await testDatabaseUri());
    uri.pathname = '/t_process_startup';
    const start = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, DATA_DIR: dataDir(), LOG_LEVEL: 'warn', DEMO_CONTENT: 'false', MONGODB_URI: uri.toString(), ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    try {
      const busy = start({ PORT: String(taken), HOST: '127.0.0.1' });
      assert.equal(busy.status, 1);
      assert.equal(busy.stderr.trim(), `chorus: PORT ${taken} is already in use on 127.0.0.1 by another program: stop it, or set PORT to a free port.`);
      const elsewhere = start({ PORT: '0', HOST: '192.0.2.77' });
      assert.equal(elsewhere.status, 1);
      assert.match(elsewhere.stderr.trim(), /^chorus: HOST 192\.0\.2\.77 is not an address of this machine \(EADDRNOTAVAIL\): set HOST to one of its addresses, 127\.0\.0\.1 or 0\.0\.0\.0\.$/);
    } finally {
      holder.close();
    }
  });

  it('names DATA_DIR when the forum cannot keep its files there, instead of hanging', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, PORT: '0', DATA_DIR: '/proc/chorus-cannot-be-here' }, encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), /^config: DATA_DIR cannot hold the forum's files \(ENOENT: .*\) \(got "\/proc\/chorus-cannot-be-here"\)$/);
  });

  it('refuses a bad variable with one line naming it', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir() },
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^config: PORT /);
  });

  it('`npm run db` runs the embedded database alone and prints its URI', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/db.ts'], {
      env: { ...process.env, DATA_DIR: dataDir(), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const uri = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('db exited')));
    });
    assert.match(uri, /^mongodb:\/\/chorus:[\w-]+@127\.0\.0\.1:\d+\/\?authSource=admin$/);
    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 3000 });
    await client.db('chorus_cli').collection('probe').insertOne({ ok: 1 });
    assert.equal(await client.db('chorus_cli').collection('probe').countDocuments(), 1);
    await client.close();
    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
  });
});
