// Builds the embedded database (FerretDB v1.24.2 behind the launcher in db/ferretdb) into .ferretdb/.
// Runs from npm's postinstall and again (cheaply) before the forum starts the embedded database:
// it rebuilds only when the launcher's sources or pinned go.sum change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'db', 'ferretdb');
const outDir = join(root, '.ferretdb');
const binary = join(outDir, 'chorus-ferretdb');
const stampFile = join(outDir, 'stamp');

const MODULE = 'github.com/FerretDB/FerretDB';
const VERSION = 'v1.24.2';

// Our patches to FerretDB's source, applied to a copy of the verified module before building.
// 1. Its SQLite backend creates the _id index on `_ferretdb_sjson->"_id"` but looks documents up by
//    `_ferretdb_sjson->'$._id'`; SQLite matches index expressions as written, so every lookup by _id scanned the
//    whole table (20 ms at 20,000 documents, 0.7 ms patched). Same value, the index's spelling.
// Files of ours added to FerretDB (built with the chorus_patch tag, which keeps them out of any other build): the
// pushdown in its SQLite backend, and the switch that turns the patches with a choice at run time back to upstream.
const ADDED = [
  ['sqlite-pushdown/chorus_pushdown.go', 'internal/backends/sqlite/chorus_pushdown.go'],
  ['chorus-switch/chorus.go', 'internal/util/chorus/chorus.go'],
];

const PATCHES = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->'_id'"`,
  },
  // 2. Its SQLite backend hands SQLite a WHERE clause only for a lone _id equality: every other filter read the whole
  //    table (a member's unread count: 40 ms at 1,000 notifications, 1 s at 30,000, with nothing else served
  //    meanwhile). db/ferretdb/sqlite-pushdown/chorus_pushdown.go hands over _id or an indexed field's equality or
  //    $in as well, in both places the backend builds its clause (Query, Explain).
  {
    file: 'internal/backends/sqlite/collection.go',
    from: "\t// that logic should exist in one place\n\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get(\"_id\")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n\t}\n",
    to: '\t// Chorus: _id or an indexed field handed to SQLite (chorus_pushdown.go).\n\twhereClause, args = chorusWhere(meta, params.Filter)\n',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    from: "\t// that logic should exist in one place\n\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get(\"_id\")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n\t}\n",
    to: '\t// Chorus: _id or an indexed field handed to SQLite (chorus_pushdown.go).\n\twhereClause, args = chorusWhere(meta, params.Filter)\n\tfilterPushdown = whereClause != ""\n',
  },
  //    Its handler strips dotted keys from find and explain filters before the backend sees them (they reach it from
  //    count and update already); the SQLite handler keeps them, so a member's comments (`author.userId`) go to the
  //    index too. The PostgreSQL handler is left as it is.
  {
    file: 'internal/handler/registry/sqlite.go',
    from: '\t\t\tEnableNestedPushdown:    opts.EnableNestedPushdown,\n',
    to: '\t\t\tEnableNestedPushdown:    true, // Chorus: dotted keys reach chorus_pushdown.go\n',
  },
  // 3. The embeddable package offers no authentication, though the server has it (SCRAM, `--test-enable-new-auth`
  //    with `--setup-*` for the first user in cmd/ferretdb). Expose those options, so the embedded database refuses
  //    every command of a client that did not sign in with the secret kept in DATA_DIR.
  {
    file: 'ferretdb/ferretdb.go',
    from: 'SQLiteURL string // For example: `file:data/`.\n',
    to:
      'SQLiteURL string // For example: `file:data/`.\n\n' +
      '\t// Chorus: SCRAM authentication, and the user created in SetupDatabase when that database does not exist yet.\n' +
      '\tEnableNewAuth bool\n\tSetupDatabase string\n\tSetupUsername string\n\tSetupPassword string\n',
  },
  {
    file: 'ferretdb/ferretdb.go',
    from: '\t\tSQLiteURL: config.SQLiteURL,\n',
    to:
      '\t\tSQLiteURL: config.SQLiteURL,\n\n' +
      '\t\tSetupDatabase: config.SetupDatabase,\n\t\tSetupUsername: config.SetupUsername,\n' +
      '\t\tSetupPassword: password.WrapPassword(config.SetupPassword),\n\t\tSetupTimeout:  time.Minute,\n',
  },
  {
    file: 'ferretdb/ferretdb.go',
    from: '\t\t\tBatchSize:               100,\n',
    to: '\t\t\tBatchSize:               100,\n\t\t\tEnableNewAuth:           config.EnableNewAuth,\n',
  },
  {
    file: 'ferretdb/ferretdb.go',
    from: '\t"net/url"\n',
    to: '\t"net/url"\n\t"time"\n',
  },
  {
    file: 'ferretdb/ferretdb.go',
    from: '\t"github.com/FerretDB/FerretDB/internal/util/state"\n',
    to: '\t"github.com/FerretDB/FerretDB/internal/util/password"\n\t"github.com/FerretDB/FerretDB/internal/util/state"\n',
  },
  // 4. Its leak tracker runs in release builds too: every iterator, row set and transaction is added to a pprof
  //    profile (a full stack walk) and given a finalizer that panics, taking the database down, if it was not closed.
  //    That was 12% of the server's CPU on a find by _id (a CPU profile of the server under a stream of finds). Kept
  //    for FerretDB's debug builds only, as its own tests use it.
  {
    file: 'internal/util/resource/resource.go',
    from: 'func Track(obj any, token *Token) {\n',
    to: 'func Track(obj any, token *Token) {\n\tif !debugbuild.Enabled && !chorus.Upstream {\n\t\treturn // Chorus\n\t}\n\n',
  },
  {
    file: 'internal/util/resource/resource.go',
    from: 'func Untrack(obj any, token *Token) {\n',
    to: 'func Untrack(obj any, token *Token) {\n\tif !debugbuild.Enabled && !chorus.Upstream {\n\t\treturn // Chorus\n\t}\n\n',
  },
  {
    file: 'internal/util/resource/resource.go',
    from: '\t"github.com/FerretDB/FerretDB/internal/util/debugbuild"\n',
    to: '\t"github.com/FerretDB/FerretDB/internal/util/chorus"\n\t"github.com/FerretDB/FerretDB/internal/util/debugbuild"\n',
  },
  // 5. Its SQL layer builds two debug log lines for every statement (a logger with the arguments, the SQL formatted),
  //    whatever the level: 3% of the server's CPU on a find by _id. Built only when debug logging is on.
  {
    file: 'internal/util/fsql/db.go',
    count: 3,
    from: '\tdb.l.With(fields...).DebugContext(ctx, fmt.Sprintf(">>> %s", query))\n',
    to: '\tif chorus.Upstream || db.l.Enabled(ctx, slog.LevelDebug) { // Chorus\n\t\tdb.l.With(fields...).DebugContext(ctx, fmt.Sprintf(">>> %s", query))\n\t}\n',
  },
  {
    file: 'internal/util/fsql/db.go',
    count: 3,
    from: '\tdb.l.With(fields...).DebugContext(ctx, fmt.Sprintf("<<< %s", query))\n',
    to: '\tif chorus.Upstream || db.l.Enabled(ctx, slog.LevelDebug) { // Chorus\n\t\tdb.l.With(fields...).DebugContext(ctx, fmt.Sprintf("<<< %s", query))\n\t}\n',
  },
  {
    file: 'internal/util/fsql/tx.go',
    count: 3,
    from: '\ttx.l.With(fields...).DebugContext(ctx, fmt.Sprintf(">>> %s", query))\n',
    to: '\tif chorus.Upstream || tx.l.Enabled(ctx, slog.LevelDebug) { // Chorus\n\t\ttx.l.With(fields...).DebugContext(ctx, fmt.Sprintf(">>> %s", query))\n\t}\n',
  },
  {
    file: 'internal/util/fsql/tx.go',
    count: 3,
    from: '\ttx.l.With(fields...).DebugContext(ctx, fmt.Sprintf("<<< %s", query))\n',
    to: '\tif chorus.Upstream || tx.l.Enabled(ctx, slog.LevelDebug) { // Chorus\n\t\ttx.l.With(fields...).DebugContext(ctx, fmt.Sprintf("<<< %s", query))\n\t}\n',
  },
  {
    file: 'internal/util/fsql/db.go',
    from: '\t"github.com/FerretDB/FerretDB/internal/util/lazyerrors"\n',
    to: '\t"github.com/FerretDB/FerretDB/internal/util/chorus"\n\t"github.com/FerretDB/FerretDB/internal/util/lazyerrors"\n',
  },
  {
    file: 'internal/util/fsql/tx.go',
    from: '\t"github.com/FerretDB/FerretDB/internal/util/logging"\n',
    to: '\t"github.com/FerretDB/FerretDB/internal/util/chorus"\n\t"github.com/FerretDB/FerretDB/internal/util/logging"\n',
  },
];

const stamp = createHash('sha256')
  .update(['go.mod', 'go.sum', 'main.go', ...ADDED.map(([from]) => from)].map((f) => readFileSync(join(src, f), 'utf8')).join('\0'))
  .update(JSON.stringify(PATCHES))
  .digest('hex');

if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  process.exit(0);
}

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.error || go.status !== 0) {
  const msg = 'chorus: Go is not installed, so the embedded database cannot be built: set MONGODB_URI to your MongoDB, or install Go.';
  if (process.env.MONGODB_URI) {
    console.warn(msg + ' (MONGODB_URI is set, carrying on.)');
    process.exit(0);
  }
  console.error(msg);
  process.exit(1);
}

console.log('chorus: building the embedded database (FerretDB v1.24.2) into .ferretdb/ — once, about a minute...');
mkdirSync(outDir, { recursive: true });
const goEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' };
const fail = (what) => {
  console.error(`chorus: building the embedded database failed (${what}). Set MONGODB_URI to your MongoDB, or fix the Go build.`);
  process.exit(1);
};

// The module as go.sum pins it (go verifies the download), copied so it can be patched.
const dl = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${VERSION}`], { cwd: src, env: goEnv, encoding: 'utf8' });
if (dl.status !== 0) {
  process.stderr.write(dl.stdout + dl.stderr);
  fail('go mod download');
}
const moduleDir = JSON.parse(dl.stdout).Dir;
const patched = join(outDir, 'src', 'FerretDB');
rmSync(patched, { recursive: true, force: true });
cpSync(moduleDir, patched, { recursive: true });
chmodRecursive(patched);
for (const { file, from, to, count = 1 } of PATCHES) {
  const path = join(patched, file);
  const text = readFileSync(path, 'utf8');
  if (text.split(from).length !== count + 1) fail(`patch of ${file} no longer applies`);
  writeFileSync(path, text.replaceAll(from, to));
}
for (const [from, to] of ADDED) cpSync(join(src, from), join(patched, to));

// A build-only go.mod beside the committed one: the same requirements, FerretDB replaced by the patched copy.
const modfile = join(outDir, 'go.build.mod');
writeFileSync(modfile, readFileSync(join(src, 'go.mod'), 'utf8') + `\nreplace ${MODULE} => ${patched}\n`);
writeFileSync(join(outDir, 'go.build.sum'), readFileSync(join(src, 'go.sum'), 'utf8'));
const build = spawnSync('go', ['build', `-modfile=${modfile}`, '-tags', 'chorus_patch', '-trimpath', '-o', binary, '.'], { cwd: src, stdio: 'inherit', env: goEnv });
if (build.status !== 0) fail('go build');
writeFileSync(stampFile, stamp);
console.log(`chorus: embedded database built: ${binary}`);

function chmodRecursive(dir) {
  // The module cache is read-only; the copy must be writable to patch and later to delete.
  spawnSync('chmod', ['-R', 'u+w', dir]);
}
