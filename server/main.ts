// Process entry: config -> database -> forum -> listen; graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig, maskUri } from './config';
import { resolveDatabase } from './db/resolve';
import { startForum } from './forum';
import { createLogger } from './logger';
import { loadDemoIfEmpty } from './imports/demo';

async function main() {
  let config;
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
  const database = await resolveDatabase(config, logger);
  logger.info({ db: maskUri(database.uri), embedded: !!database.embedded, embeddedPid: database.embedded?.pid }, 'database');

  const forum = await startForum({ config, logger, mongodbUri: database.uri });
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
      .then(() => database.release())
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
