// `npm run db`: the embedded database alone, in the foreground; prints its URI.
import { ConfigError, loadConfig } from '../config';
import { resolveDatabase } from '../db/resolve';
import { createLogger } from '../logger';

try {
  const config = loadConfig();
  if (config.mongodbUri) {
    console.error('MONGODB_URI is set: there is no embedded database to run.');
    process.exit(1);
  }
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const db = await resolveDatabase(config, logger);
  if (!db.embedded) {
    console.log(db.uri);
    console.error('(already running for this DATA_DIR)');
    process.exit(0);
  }
  console.log(db.uri);
  const stop = () => db.release().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `chorus: ${(err as Error).message}`);
  process.exit(1);
}
