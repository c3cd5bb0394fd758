// Starts, supervises and stops the embedded MongoDB-compatible database (FerretDB behind db/ferretdb).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FERRETDB_BINARY = join(root, '.ferretdb', 'chorus-ferretdb');

export interface EmbeddedOptions {
  /** Directory of the SQLite backend's files. */
  dataDir: string;
  /** Use the PostgreSQL backend instead (a UTF8 database with the C locale). */
  postgresUrl?: string | null;
  logger?: Logger;
  /** First restart delay after an unexpected exit; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Port to listen on, kept across restarts; by default a free one outside the kernel's range for outgoing connections'
   * ports (0: the kernel picks).
   */
  port?: number;
  /**
   * A file the server holds an exclusive lock on while it runs (one server per data directory). A server still
   * holding it (an orphan of a killed forum, shutting down) is waited for a few seconds; then start-up fails.
   */
  lockFile?: string;
  /** Require sign-in: the server's one user (`chorus`) has this password, read from this file. */
  auth?: { password: string; passwordFile: string };
  /**
   * SQLite backend: how often (ms) its write-ahead log is synced to disk, MongoDB's journal commit interval (100 ms
   * by default). A commit is written to the operating system at once, so it survives any crash of the database or the
   * forum; a crash of the machine may lose the last interval's. 0: SQLite syncs at every commit (slower writes).
   */
  syncIntervalMs?: number;
  /** The database's own log level (its lines reach `logger` at debug); `error` by default. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** The embedded database's default sync interval (ms), as MongoDB's journal. */
export const DEFAULT_SYNC_INTERVAL_MS = 100;

/** Raised when another embedded database holds the data directory's lock. */
export class DataDirInUseError extends Error {}

export const EMBEDDED_DB_USER = 'chorus';

/** The server's URI with the credentials the forum and the CLIs sign in with. */
function withCredentials(uri: string, auth: EmbeddedOptions['auth']): string {
  if (!auth) return uri;
  const u = new URL(uri);
  u.username = EMBEDDED_DB_USER;
  u.password = auth.password;
  u.searchParams.set('authSource', 'admin');
  return u.toString();
}

export interface EmbeddedDatabase {
  /** mongodb:// URI of the running server. */
  readonly uri: string;
  readonly pid: number | undefined;
  /** Resolves once a (re)started server answers; used by tests after a kill. */
  whenRunning(): Promise<void>;
  stop(): Promise<void>;
}

// What the binary is built from: a newer one of these (a pull that changed the launcher) means building again.
const BUILD_INPUTS = [join(root, 'db', 'ferretdb', 'main.go'), join(root, 'db', 'ferretdb', 'go.mod'), join(root, 'db', 'ferretdb', 'go.sum'), join(root, 'db', 'ferretdb', 'sqlite-pushdown', 'chorus_pushdown.go'), join(root, 'db', 'ferretdb', 'chorus-switch', 'chorus.go'), join(root, 'scripts', 'build-ferretdb.mjs')];

function binaryIsCurrent(): boolean {
  const stamp = join(root, '.ferretdb', 'stamp');
  if (!existsSync(FERRETDB_BINARY) || !existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return BUILD_INPUTS.every((f) => !existsSync(f) || statSync(f).mtimeMs <= built);
}

/** Builds the binary when missing or older than its sources (the postinstall normally did it). */
export function ensureBinary(): void {
  if (binaryIsCurrent()) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-ferretdb.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('embedded database is not built: set MONGODB_URI to your MongoDB, or install Go');
}

/** The range the kernel takes outgoing connections' local ports from (Linux), or its usual one. */
export function ephemeralPortRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // Not Linux: the usual range.
  }
  return [32768, 60999];
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A free loopback port that the kernel never hands to an outgoing connection (below that range, or above it), or 0
 * (the kernel picks). The server keeps its port across restarts, and one in that range can be lost while it restarts:
 * any outgoing connection may take it as its own, and the forum's reconnecting driver can even connect to itself
 * there (TCP simultaneous open), take the echo of its ping for an answer and hold the port for good.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  const [lo, hi] = ephemeralPortRange();
  const [from, to] = lo - 1025 >= 2000 ? [Math.max(1025, lo - 10_000), lo] : hi + 2000 <= 65535 ? [hi + 1, 65536] : [0, 0];
  for (let i = 0; i < 20 && to > from; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (await portIsFree(port)) return port;
  }
  return 0;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  ensureBinary();
  const log = opts.logger;
  const backoff0 = opts.backoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  let port = opts.port ?? (await portOutsideEphemeralRange());
  let child: ChildProcess | null = null;
  let stopping = false;
  let uri = '';
  let backoff = backoff0;
  let running: Promise<void>;
  let restartTimer: NodeJS.Timeout | null = null;

  const args = () => {
    const a = ['-listen-addr', `127.0.0.1:${port}`, '-exit-on-stdin-close', '-log-level', opts.logLevel ?? 'error'];
    if (opts.lockFile) a.push('-lock-file', opts.lockFile);
    if (opts.auth) a.push('-auth-password-file', opts.auth.passwordFile);
    if (opts.postgresUrl) a.push('-handler', 'postgresql', '-postgresql-url', opts.postgresUrl);
    else {
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      a.push('-handler', 'sqlite', '-sqlite-url', `file:${opts.dataDir}/`, '-sqlite-sync-interval', `${opts.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS}ms`);
    }
    return a;
  };

  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // stdin stays a pipe we never close: when this process dies, however it dies, the launcher sees EOF and exits.
      const c = spawn(FERRETDB_BINARY, args(), { stdio: ['pipe', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      let err = '';
      let ready = false;
      c.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /READY (mongodb:\/\/\S+)/.exec(out);
        if (m && !ready) {
          ready = true;
          uri = withCredentials(m[1], opts.auth);
          port = Number(new URL(uri).port);
          backoff = backoff0;
          resolve();
        }
      });
      c.stderr!.setEncoding('utf8').on('data', (d: string) => {
        err = (err + d).slice(-4000);
        log?.debug({ ferretdb: d.trim() }, 'embedded database output');
      });
      c.on('error', (e) => {
        if (!ready) reject(e);
      });
      c.on('exit', (code, signal) => {
        if (child === c) child = null;
        if (!ready) {
          const locked = /LOCKED by pid (\d*)/.exec(err);
          if (locked) {
            const dir = opts.postgresUrl ? 'its data directory' : opts.dataDir;
            return reject(new DataDirInUseError(`the embedded database files in ${dir} are in use by another database process (pid ${locked[1] || 'unknown'}); stop it first`));
          }
          reject(new Error(`embedded database exited before it was ready (code ${code}, signal ${signal}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
          return;
        }
        if (stopping) return;
        log?.error({ code, signal, restartInMs: backoff }, 'embedded database stopped unexpectedly; restarting it');
        scheduleRestart();
      });
    });

  const scheduleRestart = () => {
    running = new Promise((resolve) => {
      const attempt = () => {
        restartTimer = setTimeout(() => {
          restartTimer = null;
          if (stopping) return resolve();
          launch().then(
            () => {
              log?.info({ uri }, 'embedded database restarted');
              resolve();
            },
            (e: Error) => {
              backoff = Math.min(backoff * 2, maxBackoff);
              log?.error({ err: e.message, restartInMs: backoff }, 'embedded database failed to restart; trying again');
              attempt();
            },
          );
        }, backoff);
      };
      attempt();
    });
  };

  // A port found free may be taken before the server binds it: another, then.
  for (let attempt = 1; ; attempt++) {
    running = launch();
    try {
      await running;
      break;
    } catch (err) {
      if (opts.port !== undefined || attempt >= 5 || !/address already in use/.test((err as Error).message)) throw err;
      port = await portOutsideEphemeralRange();
    }
  }

  return {
    get uri() {
      return uri;
    },
    get pid() {
      return child?.pid;
    },
    whenRunning: () => running,
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => c.kill('SIGKILL'), 5000);
        c.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },
  };
}
