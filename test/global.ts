// mocha global fixtures. The database starts on first use (test/helpers/database.ts), so a run of unit tests alone
// never boots it; the teardown stops it when a run did.
import { stopTestDatabase } from './helpers/database';

export async function mochaGlobalTeardown() {
  await stopTestDatabase();
}
