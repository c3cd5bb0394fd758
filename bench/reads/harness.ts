// What the reads bench's parts share: server child processes, and autocannon runs measured with the server's CPU.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromServer } from './protocol';

const here = dirname(fileURLToPath(import.meta.url));
export const SECONDS = Number(process.env.READS_SECONDS ?? 10);
export const ROUNDS = Number(process.env.READS_ROUNDS ?? 2);
export const CONNECTIONS = 8;

export function spawnTs(file: string, arg: unknown, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return fork(join(here, file), [JSON.stringify(arg)], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends `message` (when given) and resolves with the child's next message of `type`. */
export function ask<M extends { type: string } = FromServer, T extends M['type'] = M['type']>(child: ChildProcess, type: T, message?: object): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: M) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<M, { type: T }>);
    };
    const onExit = (code: number) => reject(new Error(`child exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message) child.send(message);
  });
}

/** Every server child started, so a failed run still stops them all. */
export const children: ChildProcess[] = [];

export const stop = (child: ChildProcess) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(null);
    child.once('exit', resolve);
    child.send({ type: 'close' });
  });

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU (user + system) per answered request, microseconds: steadier than req/s on a busy machine. */
  cpuUs: number;
  bad: number;
  answered: number;
}

/** autocannon at `base`, each request's path from `next()`; the server's CPU over the run from its process. */
export async function cannon(server: ChildProcess, base: string, next: () => string, headers: Record<string, string>, seconds = SECONDS): Promise<Measured> {
  const before = await ask(server, 'cpu', { type: 'cpu' });
  const r = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    headers,
    requests: [{ setupRequest: (req: object) => ({ ...req, path: next() }) }],
  });
  const after = await ask(server, 'cpu', { type: 'cpu' });
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) console.warn(`  ${base}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  const answered = Math.max(1, r.requests.total);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuUs: (after.user - before.user + after.system - before.system) / answered, bad, answered };
}

