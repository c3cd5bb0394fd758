import assert from 'node:assert/strict';
import { requestLevel } from '../../server/http/logging';

describe('the level of a request log line', () => {
  const table: [method: string, status: number, finished: boolean, level: string][] = [
    ['GET', 200, true, 'debug'],
    ['HEAD', 304, true, 'debug'],
    ['GET', 404, true, 'warn'],
    ['GET', 500, true, 'error'],
    ['GET', 503, true, 'warn'],
    ['GET', 200, false, 'debug'],
    ['POST', 201, true, 'info'],
    ['PATCH', 200, true, 'info'],
    ['DELETE', 204, true, 'info'],
    ['POST', 201, false, 'warn'],
    ['POST', 429, true, 'warn'],
    ['POST', 500, true, 'error'],
  ];
  for (const [method, status, finished, level] of table) {
    it(`${method} ${status}${finished ? '' : ', client gone'}: ${level}`, () => assert.equal(requestLevel(method, status, finished), level));
  }
});
