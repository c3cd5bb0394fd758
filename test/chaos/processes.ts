// The parts the chaos run starts, kills and brings back as real processes: a private redis-server on a port of its
// own, and the forum (`node --import tsx server/main.ts`), which runs and supervises its embedded database.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything started here dies with the run, however it ends. */
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of started) if (c.exitCode === null && !c.signalCode) (c.kill('SIGCONT'), c.kill('SIGKILL'));
});
const track = (c: ChildProcess) => (started.add(c), c.once('exit', () => started.delete(c)), c);

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode ? resolve() : child.once('exit', () => resolve())));

/** A redis-server that writes every command to its append-only file, so a kill -9 loses no session. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    const child = track(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => /Ready to accept connections/.test(line) && resolve());
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited(c);
    this.child = null;
  }

  /** A hung Redis: the process is there, and answers nothing. */
  pause = () => this.child?.kill('SIGSTOP');
  resume = () => this.child?.kill('SIGCONT');
}

/** One forum process on a fixed port (readers reconnect to the same address after a restart). */
export class ForumProcess {
  private child: ChildProcess | null = null;
  starts = 0;
  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  /** Starts it and waits until it answers /healthz (200, or 503 while a part it needs is away). */
  async start(timeoutMs = 60_000): Promise<void> {
    const log = openSync(join(this.logDir, `forum-${++this.starts}.log`), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' };
    delete env.MONGODB_URI;
    const child = track(spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', log, log] }));
    this.child = child;
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (child.exitCode !== null) throw new Error(`the forum exited at start (code ${child.exitCode}); see ${this.logDir}`);
      if ((await health(this.url)) !== 0) return;
      await sleep(100);
    }
    throw new Error(`the forum did not answer within ${timeoutMs} ms`);
  }

  async kill9(): Promise<void> {
    const c = this.child;
    if (!c) return;
    c.kill('SIGKILL');
    await exited(c);
    this.child = null;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c) return;
    c.kill('SIGTERM');
    await Promise.race([exited(c), sleep(15_000).then(() => c.kill('SIGKILL'))]);
    this.child = null;
  }

  /** The embedded database's process: the forum's child (its pid changes each time the forum restarts it). */
  databasePid(): number | null {
    if (!this.pid) return null;
    try {
      const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(this.pid)], { encoding: 'utf8' });
      const line = out.split('\n').find((l) => /chorus-ferretdb/.test(l));
      return line ? Number(line.trim().split(/\s+/)[0]) : null;
    } catch {
      return null;
    }
  }
}

/** /healthz's status, 0 when nothing answers. */
export async function health(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return 0;
  }
}

/** Milliseconds until /healthz answers 200, or null past the bound. */
export async function untilHealthy(url: string, boundMs: number): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < boundMs) {
    if ((await health(url)) === 200) return Date.now() - start;
    await sleep(100);
  }
  return null;
}
