// Requests Node's HTTP parser refuses before the app sees them still get the contract's error body (JSON), never
// Node's bare status line: found by the fuzzer (test/api/fuzz.test.ts) with a query string over 16 KB.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestForum, type TestForum } from '../helpers/forum';

/** Sends raw bytes and reads the whole answer (the server closes the connection after it). */
function raw(forum: TestForum, bytes: string): Promise<string> {
  const { hostname, port } = new URL(forum.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const parse = (answer: string) => {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', body: JSON.parse(body) };
};

describe('requests refused by the HTTP parser', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  it('answers an address (or headers) over 16 KB with 431 HEADERS_TOO_LARGE in the contract shape', async () => {
    const { host } = new URL(forum.url);
    const a = parse(await raw(forum, `GET /api/songs?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
    assert.equal(a.status, 431);
    assert.match(a.type, /^application\/json/);
    assert.equal(a.body.error.code, 'HEADERS_TOO_LARGE');
    assert.equal(typeof a.body.error.message, 'string');
  });

  it('answers a request line it cannot read with 400 BAD_REQUEST in the contract shape', async () => {
    const a = parse(await raw(forum, 'GET /api/songs HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
    assert.equal(a.status, 400);
    assert.equal(a.body.error.code, 'BAD_REQUEST');
  });

  it('keeps serving afterwards', async () => {
    await forum.agent().get('/api/songs').expect(200);
  });
});
