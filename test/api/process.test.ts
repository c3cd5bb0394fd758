// The forum as an operator runs it: a real `npm start`-like process, signals, the embedded database's lifetime.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
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

/** Starts `tsx server/main.ts` and waits for its "listening" log line. */
function startMain(env: Record<string, string>): Promise<Started> {
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
    assert.match(JSON.stringify(s.lines), /"db":"mongodb:\/\/127\.0\.0\.1:\d+\/"/);
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

  it('starts no embedded database when MONGODB_URI is set', async () => {
    const uri = new URL(process.env.TEST_MONGODB_URI!);
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
    assert.match(r.stderr, /^chorus: failed to start: /);
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
    assert.match(uri, /^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 3000 });
    await client.db('chorus_cli').collection('probe').insertOne({ ok: 1 });
    assert.equal(await client.db('chorus_cli').collection('probe').countDocuments(), 1);
    await client.close();
    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
  });
});
