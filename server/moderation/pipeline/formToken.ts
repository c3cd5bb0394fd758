// When a guest's page form was rendered, signed so a bot cannot simply claim it waited: `MS.HMAC`.
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, ms: number) => createHmac('sha256', secret).update(`form:${ms}`).digest('base64url').slice(0, 22);

export const formToken = (secret: string, now = Date.now()): string => `${now}.${sign(secret, now)}`;

/** The render time a token carries, or null when it is missing, malformed or not ours. */
export function renderedAt(secret: string, token: unknown): number | null {
  if (typeof token !== 'string' || token.length > 100) return null;
  const m = /^(\d{1,15})\.([\w-]{22})$/.exec(token);
  if (!m) return null;
  const ms = Number(m[1]);
  const want = Buffer.from(sign(secret, ms));
  const got = Buffer.from(m[2]);
  return want.length === got.length && timingSafeEqual(want, got) ? ms : null;
}
