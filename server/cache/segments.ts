// A page kept as parts with slots between them, filled per request (a member's song page: the thread is everyone's,
// the header is theirs), and sent compressed without compressing anything per request. Each kept part is deflated
// once, ending on a sync flush so the stream is byte-aligned after it; each per-request piece goes in as stored
// (uncompressed) deflate blocks; the gzip trailer's CRC-32 runs over the plain bytes. RFC 1951 lets one stream mix
// block types, so any gzip reader inflates the whole as one body. Brotli has no such seam: a member's page goes as
// gzip (or plain), an anonymous reader's as brotli (send.ts).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { takes } from './send';

export interface KeptParts {
  /** The parts between the slots, plain and deflated (the last one ends the deflate stream). */
  plain: Buffer[];
  deflated: Buffer[];
  /** Each part's CRC-32, and the operator that moves a CRC past that many bytes (crc32Shift). */
  crcs: number[];
  shifts: Uint32Array[];
  /** The slots' names in order: one fewer than the parts. */
  slots: readonly string[];
  /** A digest of the parts and slots, taken once: with the fills it names the assembled page (its ETag). */
  digest: string;
  bytes: number;
}

/**
 * Splits `html` at each slot's mark (in order, each exactly once; anything else is a bug in the page) and deflates
 * the parts.
 */
export function keptParts(html: string, slots: readonly string[], markOf: (slot: string) => string): KeptParts {
  const texts: string[] = [];
  let rest = html;
  for (const slot of slots) {
    const mark = markOf(slot);
    const at = rest.indexOf(mark);
    if (at < 0 || rest.indexOf(mark, at + mark.length) >= 0) throw new Error(`the page must hold slot ${slot} once`);
    texts.push(rest.slice(0, at));
    rest = rest.slice(at + mark.length);
  }
  texts.push(rest);
  const plain = texts.map((t) => Buffer.from(t, 'utf8'));
  const deflated = plain.map((p, i) => deflateRawSync(p, { finishFlush: i < plain.length - 1 ? constants.Z_SYNC_FLUSH : constants.Z_FINISH }));
  const bytes = [...plain, ...deflated].reduce((n, b) => n + b.length, 0) + plain.length * 128;
  const digest = createHash('sha1').update(slots.join('\n')).update('\n');
  for (const p of plain) digest.update(`${p.length}\n`).update(p);
  return { plain, deflated, crcs: plain.map((p) => crc32(p)), shifts: plain.map((p) => crc32Shift(p.length)), slots, digest: digest.digest('base64url'), bytes };
}

// CRC-32 of a concatenation from its parts' CRCs (zlib's crc32_combine, with its GF(2) matrices): crc(A B) =
// shift_len(B)(crc(A)) ^ crc(B), where shift_n is a 32x32 bit matrix (one column per bit) made once per kept part.
const times = (m: Uint32Array, v: number) => {
  let sum = 0;
  for (let i = 0; v; i++, v >>>= 1) if (v & 1) sum ^= m[i];
  return sum >>> 0;
};
const product = (a: Uint32Array, b: Uint32Array) => Uint32Array.from(b, (col) => times(a, col));

/** The operator that moves a CRC-32 past `bytes` more bytes. */
export function crc32Shift(bytes: number): Uint32Array {
  // One zero bit: the reflected polynomial, then the shifted identity.
  let op = Uint32Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xedb88320 : 1 << (i - 1)));
  // Squared three times: one zero byte (8 bits); then one squaring per bit of `bytes`.
  for (let i = 0; i < 3; i++) op = product(op, op);
  let result: Uint32Array | null = null;
  for (let n = bytes; n; n >>>= 1) {
    if (n & 1) result = result ? product(op, result) : op;
    if (n > 1) op = product(op, op);
  }
  return result ?? Uint32Array.from({ length: 32 }, (_, i) => (1 << i) >>> 0);
}

/** crc32(A B) from crc32(A), and B's own CRC and shift operator. */
export const crc32Combine = (crcA: number, crcB: number, shiftB: Uint32Array) => (times(shiftB, crcA) ^ crcB) >>> 0;

/** gzip's 10-byte header: deflate, no name or time, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const STORED_MAX = 0xffff;

/** Stored deflate blocks (not final) holding `data`: byte-aligned, as the sync-flushed part before them leaves it. */
function storedBlocks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += STORED_MAX) {
    const chunk = data.subarray(at, at + STORED_MAX);
    const head = Buffer.alloc(5);
    head[0] = 0; // BFINAL 0, BTYPE 00 (stored), then padding to the byte
    head.writeUInt16LE(chunk.length, 1);
    head.writeUInt16LE(~chunk.length & 0xffff, 3);
    out.push(head, chunk);
  }
  return out;
}

/** The page with `fills` in its slots: its plain bytes, or gzip. */
export function assemble(parts: KeptParts, fills: readonly string[], gzip: boolean): Buffer[] {
  if (fills.length !== parts.slots.length) throw new Error(`${parts.slots.length} slots, ${fills.length} fills`);
  const pieces = fills.map((f) => Buffer.from(f, 'utf8'));
  const out: Buffer[] = [];
  if (!gzip) {
    parts.plain.forEach((p, i) => out.push(p, ...(i < pieces.length ? [pieces[i]] : [])));
    return out;
  }
  let crc = 0;
  let size = 0;
  out.push(GZIP_HEADER);
  parts.plain.forEach((p, i) => {
    out.push(parts.deflated[i]);
    // The kept part's CRC was taken once: combined, not run over its bytes again.
    crc = crc32Combine(crc, parts.crcs[i], parts.shifts[i]);
    size += p.length;
    if (i < pieces.length) {
      out.push(...storedBlocks(pieces[i]));
      crc = crc32(pieces[i], crc);
      size += pieces[i].length;
    }
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  out.push(trailer);
  return out;
}

/** The assembled page's strong ETag, per encoding: the kept parts' digest and the fills, hashed. */
function assembledEtags(parts: KeptParts, fills: readonly string[]): { identity: string; gzip: string } {
  const h = createHash('sha1').update(parts.digest);
  for (const f of fills) h.update(`\n${Buffer.byteLength(f)}\n`).update(f);
  const tag = h.digest('base64url').slice(0, 20);
  return { identity: `"m${tag}"`, gzip: `"m${tag}-gz"` };
}

/**
 * Sends the page with `fills` in its slots: gzip when the client takes it, else plain, with an ETag of this
 * reader's page (their fills are in it, so no other reader's page has it) and 304 when If-None-Match names it. Vary
 * names Cookie and Cache-Control is the caller's (private). no-transform keeps the compression middleware off bytes
 * already in their final form.
 */
export function sendAssembled(req: IncomingMessage, res: ServerResponse, parts: KeptParts, fills: readonly string[], type: string, cacheControl: string): void {
  const gzip = takes(req.headers['accept-encoding'] ?? '', 'gzip');
  const etags = assembledEtags(parts, fills);
  res.setHeader('Vary', 'Accept-Encoding, Cookie');
  res.setHeader('Cache-Control', `${cacheControl}, no-transform`);
  res.setHeader('ETag', gzip ? etags.gzip : etags.identity);
  const ifNoneMatch = req.headers['if-none-match'];
  // Weak comparison (RFC 9110 for If-None-Match), either encoding's tag: the page is the same.
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => [etags.identity, etags.gzip].includes(t.trim().replace(/^W\//, '')))) {
    res.statusCode = 304;
    return void res.end();
  }
  const body = assemble(parts, fills, gzip);
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', body.reduce((n, b) => n + b.length, 0));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  if (req.method === 'HEAD') return void res.end();
  res.end(Buffer.concat(body));
}
