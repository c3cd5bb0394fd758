// The fan-out benches' child processes (servers, load generators), started and asked over IPC: run.ts and heap.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Starts one of this folder's scripts with `arg` as its JSON argument. `gc`: with --expose-gc, so it can answer memory
 * questions after a full collection (protocol.ts answerMemory); `profDir`: writes a V8 CPU profile there.
 */
export function spawnTs(file: string, arg: unknown, env: NodeJS.ProcessEnv = {}, opts: { gc?: boolean; profDir?: string } = {}): ChildProcess {
  const execArgv = ['--import', 'tsx', ...(opts.profDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profDir}`] : []), ...(opts.gc ? ['--expose-gc'] : [])];
  return fork(join(here, file), [JSON.stringify(arg)], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends `message` (if any) and waits for the child's next message of `type`; fails if the child exits first. */
export function request<T>(child: ChildProcess, type: string, message?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number) => reject(new Error(`child exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message) child.send(message);
  });
}
