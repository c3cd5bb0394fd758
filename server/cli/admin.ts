// `npm run admin -- create-user --username U --password P [--role admin|moderator|member]`:
// creates an account, or sets the password (and role, when given) of an existing one. Works with the forum
// running (it reuses the embedded database of DATA_DIR) or not (it starts it for the moment).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { password, username } from '../../shared/schemas';
import { createUser } from '../accounts/service';
import { userModel, credentialModel } from '../accounts/model';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { resolveDatabase } from '../db/resolve';
import { createLogger } from '../logger';

const USAGE = 'usage: npm run admin -- create-user --username U --password P [--role admin|moderator|member] [--display-name NAME]';

const createUserArgs = z.object({
  username,
  password,
  role: z.enum(['admin', 'moderator', 'member']).optional(),
  'display-name': z.string().trim().min(1).max(40).optional(),
});

class UsageError extends Error {}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' } },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (command !== 'create-user' || rest.length) throw new UsageError(USAGE);
  const args = createUserArgs.safeParse(parsed.values);
  if (!args.success) {
    const issue = args.error.issues[0];
    throw new UsageError(`--${String(issue.path[0] ?? 'arguments')} ${issue.message}\n${USAGE}`);
  }
  return args.data;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const database = await resolveDatabase(config, logger, { share: false });
  const db = await connectDatabase(database.uri);
  try {
    // The unique username index must exist before the first insert, even on a fresh database.
    await Promise.all([userModel(db.conn).init(), credentialModel(db.conn).init()]);
    const { user, created } = await createUser({ db }, {
      username: args.username,
      password: args.password,
      role: args.role,
      displayName: args['display-name'],
    });
    console.log(`${created ? 'created' : 'updated'} ${user.role} ${user.username} (id ${user.id})`);
    return 0;
  } finally {
    await db.close();
    await database.release();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof ConfigError) console.error(err.message);
    else console.error(`chorus admin: ${(err as Error).message}`);
    process.exit(1);
  },
);
