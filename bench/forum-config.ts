// The configuration a bench runs a forum with: on loopback at a free port, a fixed secret, no demo content, and a
// posting and read limits far above any bench's rate (the benches measure reads, posts and fan-out, not the limit). `env`
// adds to it or overrides it.
import { loadConfig, type Config } from '../server/config';

export function benchConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
    LOG_LEVEL: 'silent',
    DEMO_CONTENT: 'false',
    POSTING_LIMIT_PER_MINUTE: '100000000',
    READ_LIMIT_PER_MINUTE: '100000000',
    ...env,
  });
}

/** The embedded database's sync interval for a bench's own database: EMBEDDED_DB_SYNC_MS, as the forum reads it. */
export const benchSyncMs = (): number => benchConfig({ EMBEDDED_DB_SYNC_MS: process.env.EMBEDDED_DB_SYNC_MS }).embeddedSyncMs;
