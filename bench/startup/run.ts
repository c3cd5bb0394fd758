// npm run bench:startup — time from `npm start` to /healthz 200 with the database up, on the embedded database
// (already built by npm install), client build included. Three runs: the first on an empty DATA_DIR (demo content
// loaded), then two on the same one. Writes the "Start-up" section of BENCHMARKS.md.
import { writeBenchSection } from '../benchmarks-md';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function once(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  // Its own process group, so the signal reaches npm's children too.
  const child = spawn('npm', ['start', '--silent'], { cwd: root, detached: true, stdio: 'ignore', env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' } });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error('not healthy within 60 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json() as Promise<{ db?: string }>, () => null);
      if (ok?.db === 'up') return performance.now() - started;
      await sleep(25);
    }
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'chorus-bench-startup-'));
const runs: number[] = [];
try {
  for (let i = 0; i < 3; i++) {
    runs.push(await once(dataDir));
    console.log(`run ${i + 1}: ${(runs[i] / 1000).toFixed(2)} s`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const section = [
  'Command: `npm run bench:startup` (bench/startup/run.ts). From spawning `npm start` (which runs the client build',
  'first) to `/healthz` answering 200 with db "up", on the embedded database built by `npm install`. Machine:',
  `${cpus().length} cores, Node ${process.version}. Run: ${new Date().toISOString().slice(0, 16)}Z.`,
  '',
  '| run | DATA_DIR | seconds to healthy |',
  '| --- | --- | ---: |',
  ...runs.map((ms, i) => `| ${i + 1} | ${i === 0 ? 'empty (demo content loaded)' : 'as the run before left it'} | ${(ms / 1000).toFixed(2)} |`),
].join('\n');
writeBenchSection('## Start-up', `## Start-up\n\n${section}`);
console.log('BENCHMARKS.md: Start-up section written');
