// What the reads bench's processes say to each other over IPC, and how a response is recorded and replayed.
import { request } from 'node:http';

/** One response as Chorus sent it: status, headers (hop-by-hop ones dropped) and the exact body bytes. */
export interface Recorded {
  status: number;
  headers: Record<string, string | string[]>;
  /** base64: IPC carries JSON. */
  body: string;
}

/** A recording per request line: `METHOD PATH` for the bare server to replay. */
export type Recordings = Record<string, Recorded>;

export type FromServer =
  | { type: 'listening'; url: string; slug?: string; cookie?: string }
  | { type: 'cpu'; user: number; system: number };

/** Headers that belong to one connection or one moment, not to the response: the bare server sets its own. */
const HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** One request with raw bytes back (fetch would decompress): what a browser would be sent. */
export function record(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Recorded['headers'] = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
        const body = Buffer.concat(chunks);
        // The bare server sends a length instead of chunks: same bytes, the cheapest framing.
        headers['content-length'] = String(body.length);
        resolve({ status: res.statusCode ?? 0, headers, body: body.toString('base64') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
