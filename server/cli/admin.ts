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
const HELP = `${USAGE}

Creates a member account, or sets the password (and the role, when given) of an existing one. Works with the
forum running (it uses the embedded database of DATA_DIR, or MONGODB_URI) or not.
  --username U          3-30 letters, digits, _ and -
  --password P          at least 10 characters
  --role ROLE           admin, moderator or member (default: member for a new account, unchanged for one that exists)
  --display-name NAME   the name shown beside their comments (default: the username)`;

const createUserArgs = z.object({
  username,
  password,
  role: z.enum(['admin', 'moderator', 'member']).optional(),
  'display-name': z.string().trim().min(1).max(40).optional(),
});

class UsageError extends Error {}
/** Asked for help: the help goes to stdout and the command succeeds. */
class HelpAsked extends Error {}

const OPTIONS = ['username', 'password', 'role', 'display-name'];
/** parseArgs's refusal in the command's own words: which option is unknown or lacks its value. */
function argumentProblem(err: Error & { code?: string }): string {
  const option = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option} (the options are ${OPTIONS.map((o) => `--${o}`).join(', ')})`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `${option} needs a value`;
  return err.message;
}

function parse(argv: string[]) {
  if (argv.some((a) => a === '--help' || a === '-h' || a === 'help')) throw new HelpAsked(HELP);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' } },
    });
  } catch (err) {
    throw new UsageError(`${argumentProblem(err as Error)}\n${USAGE}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (command === undefined) throw new UsageError(`no command given\n${USAGE}`);
  if (command !== 'create-user') throw new UsageError(`unknown command ${JSON.stringify(command)} (the one command is create-user)\n${USAGE}`);
  if (rest.length) throw new UsageError(`unexpected ${JSON.stringify(rest[0])} after create-user\n${USAGE}`);
  const args = createUserArgs.safeParse(parsed.values);
  if (!args.success) {
    const issue = args.error.issues[0];
    const name = String(issue.path[0] ?? 'arguments');
    const message = name === 'role' ? 'must be admin, moderator or member' : issue.message;
    throw new UsageError(`--${name} ${message}\n${USAGE}`);
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
    if (err instanceof HelpAsked) {
      console.log(err.message);
      process.exit(0);
    }
    if (err instanceof UsageError || err instanceof ConfigError) console.error(err.message);
    else console.error(`chorus admin: ${(err as Error).message}`);
    process.exit(1);
  },
);
