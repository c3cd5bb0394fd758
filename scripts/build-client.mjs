// Bundles client/ into public/build: content-hashed names, a manifest the server reads, precompressed
// .gz/.br copies, and the song page's JavaScript budget (40 KiB gzip) enforced: over budget fails the build.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'build');
const BUDGET = 40 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { app: 'client/main.tsx', moderation: 'client/moderation/main.tsx', member: 'client/member/main.ts', style: 'client/styles.css' },
  outdir: out,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const manifest = { js: null, moderationJs: null, memberJs: null, css: null, icon: null };
const files = [];
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  const name = basename(file);
  files.push(name);
  if (meta.entryPoint === 'client/main.tsx') manifest.js = `/build/${name}`;
  if (meta.entryPoint === 'client/moderation/main.tsx') manifest.moderationJs = `/build/${name}`;
  if (meta.entryPoint === 'client/member/main.ts') manifest.memberJs = `/build/${name}`;
  if (meta.entryPoint === 'client/styles.css') manifest.css = `/build/${name}`;
}

// The icon is tiny and static: hash it by hand so it caches like the rest.
const icon = readFileSync(join(root, 'client', 'favicon.svg'));
const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(out, iconName), icon);
files.push(iconName);
manifest.icon = `/build/${iconName}`;

const sizes = {};
for (const name of files) {
  const data = readFileSync(join(out, name));
  const gz = gzipSync(data, { level: 9 });
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  writeFileSync(join(out, `${name}.gz`), gz);
  writeFileSync(join(out, `${name}.br`), br);
  sizes[name] = { raw: data.length, gzip: gz.length, brotli: br.length };
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...manifest, sizes }, null, 2) + '\n');

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const [name, s] of Object.entries(sizes)) console.log(`client: ${name.padEnd(28)} ${kib(s.raw).padStart(9)}  gzip ${kib(s.gzip).padStart(8)}  br ${kib(s.brotli).padStart(8)}`);
// The song page loads the app bundle alone (the moderation queue's and members' other pages' scripts are other bundles).
const songPageJs = Object.entries(sizes).filter(([n]) => `/build/${n}` === manifest.js).reduce((t, [, s]) => t + s.gzip, 0);
console.log(`client: song page JavaScript ${kib(songPageJs)} gzip (budget ${kib(BUDGET)}) -> ${relative(root, out)}`);
if (songPageJs > BUDGET) {
  console.error(`client: over budget by ${kib(songPageJs - BUDGET)}; the song page must ship at most ${kib(BUDGET)} of JavaScript gzip.`);
  process.exit(1);
}
