// Builds the embedded database (FerretDB v1.24.2 behind the launcher in db/ferretdb) into .ferretdb/.
// Runs from npm's postinstall and again (cheaply) before the forum starts the embedded database:
// it rebuilds only when the launcher's sources or pinned go.sum change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'db', 'ferretdb');
const outDir = join(root, '.ferretdb');
const binary = join(outDir, 'chorus-ferretdb');
const stampFile = join(outDir, 'stamp');

const stamp = createHash('sha256')
  .update(['go.mod', 'go.sum', 'main.go'].map((f) => readFileSync(join(src, f), 'utf8')).join('\0'))
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
const build = spawnSync('go', ['build', '-trimpath', '-o', binary, '.'], {
  cwd: src,
  stdio: 'inherit',
  env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
});
if (build.status !== 0) {
  console.error('chorus: building the embedded database failed (see above). Set MONGODB_URI to your MongoDB, or fix the Go build.');
  process.exit(1);
}
writeFileSync(stampFile, stamp);
console.log(`chorus: embedded database built: ${binary}`);
