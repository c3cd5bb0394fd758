import assert from 'node:assert/strict';
import helmet from 'helmet';
import type { Request, Response } from 'express';
import { helmetOptions, securityHeaders } from '../../server/http/security';

/** The headers a middleware sets on an empty response. */
function headersSetBy(mw: (req: Request, res: Response, next: (err?: unknown) => void) => void): Record<string, string> {
  const set: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => (set[name.toLowerCase()] = String(value)), removeHeader: () => {} };
  let nexted = false;
  mw({} as Request, res as unknown as Response, () => (nexted = true));
  assert.ok(nexted, 'the middleware passes the request on');
  return set;
}

describe('security headers worked out once', () => {
  for (const secureCookies of [false, true]) {
    it(`are helmet's own, header for header (${secureCookies ? 'https, with HSTS' : 'http, no HSTS'})`, () => {
      const once = headersSetBy(securityHeaders({ secureCookies }));
      assert.deepEqual(once, headersSetBy(helmet(helmetOptions({ secureCookies }))));
      assert.equal('strict-transport-security' in once, secureCookies);
    });
  }
});
