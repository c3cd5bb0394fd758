import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

/** The forum's logger: stdout unless told (the benches log to /dev/null, to measure the cost without the terminal). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-guest-token"]', 'res.headers["set-cookie"]', '*.password'], censor: '[redacted]' },
    },
    destination,
  );
}
