// The built browser files (public/build, from scripts/build-client.mjs): the manifest the pages link, and
// a static handler that serves the precompressed copies with long immutable caching (names are content-hashed).
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Assets } from '../../client/components/Document';

const BUILD_DIR = join(import.meta.dirname ?? process.cwd(), '..', '..', 'public', 'build');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Built {
  raw: Buffer;
  gz: Buffer | null;
  br: Buffer | null;
  type: string;
}

export interface AssetStore {
  /** The URLs pages link; nulls when the client is not built (pages still work, without script and style). */
  assets(): Assets;
  handler: RequestHandler;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path) : null);

function load(dir: string): { assets: Assets; files: Map<string, Built> } | null {
  const manifest = read(join(dir, 'manifest.json'));
  if (!manifest) return null;
  const m = JSON.parse(manifest.toString('utf8')) as Assets & { sizes: Record<string, unknown> };
  const files = new Map<string, Built>();
  for (const name of Object.keys(m.sizes)) {
    const raw = read(join(dir, name));
    if (raw) files.set(name, { raw, gz: read(join(dir, `${name}.gz`)), br: read(join(dir, `${name}.br`)), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return { assets: { js: m.js, moderationJs: m.moderationJs ?? null, memberJs: m.memberJs ?? null, css: m.css, icon: m.icon }, files };
}

/** br when the browser takes it, else gzip, else the plain file. */
function pick(file: Built, acceptEncoding: string): [Buffer, string | null] {
  const accepts = (enc: string) => new RegExp(`\\b${enc}\\b(?!;q=0(\\.0*)?\\b)`).test(acceptEncoding);
  if (file.br && accepts('br')) return [file.br, 'br'];
  if (file.gz && accepts('gzip')) return [file.gz, 'gzip'];
  return [file.raw, null];
}

export function createAssetStore(logger: Logger, dir = BUILD_DIR): AssetStore {
  let built = load(dir);
  if (!built) logger.warn({ dir }, 'client not built (npm run build): pages are served without script and style');
  // A build made after start-up (npm run build in another shell) is picked up on the next request.
  const current = () => (built ??= load(dir));

  const handler: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.path.startsWith('/build/')) return next();
    const file = current()?.files.get(req.path.slice('/build/'.length));
    if (!file) return next();
    const [body, encoding] = pick(file, req.get('accept-encoding') ?? '');
    res.set({
      'Content-Type': file.type,
      // Already compressed: no-transform keeps the compression middleware off it.
      'Cache-Control': 'public, max-age=31536000, immutable, no-transform',
      Vary: 'Accept-Encoding',
      'Content-Length': String(body.length),
    });
    if (encoding) res.set('Content-Encoding', encoding);
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };

  return { assets: () => current()?.assets ?? { js: null, css: null, icon: null }, handler };
}
