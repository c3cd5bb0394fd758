// Process entry: config -> database -> forum -> listen; graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig, maskUri, type Config } from './config';
import { resolveDatabase } from './db/resolve';
import { startForum } from './forum';
import { createLogger } from './logger';
import { loadDemoIfEmpty } from './imports/demo';

/**
 * Why the forum could not start, in one line that names the setting to change where one is to blame (the port is
 * taken, HOST is not this machine's, MONGODB_URI does not answer); otherwise the error's own message.
 */
export function startupProblem(err: unknown, config: Pick<Config, 'port' | 'host' | 'mongodbUri'> | null): string {
  const e = (err ?? {}) as NodeJS.ErrnoException & { hostname?: string };
  const message = err instanceof Error ? err.message : String(err);
  if (config && e.code === 'EADDRINUSE') return `chorus: PORT ${config.port} is already in use on ${config.host} by another program: stop it, or set PORT to a free port.`;
  if (config && (e.code === 'EADDRNOTAVAIL' || ((e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') && e.hostname === config.host))) {
    return `chorus: HOST ${config.host} is not an address of this machine (${e.code}): set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0.`;
  }
  if (config?.mongodbUri && /^Mongo/.test(e.name ?? '')) return `chorus: MONGODB_URI ${maskUri(config.mongodbUri)} does not answer: ${message}`;
  return `chorus: failed to start: ${message}`;
}

async function main() {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  // A stray rejection (a Redis command during an outage, say) is a bug to log, not a reason to drop every reader.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  if (config.secureCookies && !config.trustProxy) {
    logger.warn('PUBLIC_URL is https but TRUST_PROXY is unset: behind a proxy every client shares its address, and so its rate limits');
  }
  const started = Date.now();
  let database: Awaited<ReturnType<typeof resolveDatabase>> | null = null;
  let forum: Awaited<ReturnType<typeof startForum>>;
  try {
    database = await resolveDatabase(config, logger);
    logger.info({ db: maskUri(database.uri), embedded: !!database.embedded, embeddedPid: database.embedded?.pid }, 'database');
    forum = await startForum({ config, logger, mongodbUri: database.uri });
  } catch (err) {
    console.error(startupProblem(err, config));
    await database?.release().catch(() => {});
    process.exit(1);
  }
  if (config.demoContent) await loadDemoIfEmpty(forum.deps);
  logger.info({ url: forum.url, startupMs: Date.now() - started }, 'Chorus is listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => {
      logger.error('shutdown took over 10 s; exiting');
      process.exit(1);
    }, 10_000);
    hard.unref();
    forum
      .close()
      .then(() => database!.release())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`chorus: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
