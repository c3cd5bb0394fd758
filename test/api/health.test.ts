import assert from 'node:assert/strict';
import { startTestForum, type TestForum } from '../helpers/forum';

describe('health and errors', () => {
  let forum: TestForum;
  before(async () => (forum = await startTestForum()));
  after(() => forum.close());

  it('answers /healthz with the database up', async () => {
    const res = await forum.agent().get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok', db: 'up' });
  });

  it('answers unknown API routes with a JSON 404 in the contract shape', async () => {
    const res = await forum.agent().get('/api/no-such-thing').expect(404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.match(res.headers['content-type'], /json/);
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const res = await forum.agent().post('/api/auth/login').set('content-type', 'application/json').send('{"username": ').expect(400);
    assert.equal(res.body.error.code, 'MALFORMED_JSON');
    assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+/);
  });

  it('answers oversized bodies with 413', async () => {
    const res = await forum.agent().post('/api/auth/login').set('content-type', 'application/json').send(JSON.stringify({ username: 'x'.repeat(200_000) })).expect(413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a body in another charset, or an encoding it cannot read, with 415 in the contract shape', async () => {
    const login = JSON.stringify({ username: 'someone', password: 'something long enough' });
    const latin1 = await forum.agent().post('/api/auth/login').set('content-type', 'application/json; charset=latin1').send(login).expect(415);
    assert.equal(latin1.body.error.code, 'UNSUPPORTED_ENCODING');
    assert.match(latin1.body.error.message, /UTF-8/);
    const packed = await forum.agent().post('/api/auth/login').set('content-type', 'application/json').set('content-encoding', 'x-unknown').send(login).expect(415);
    assert.equal(packed.body.error.code, 'UNSUPPORTED_ENCODING');
  });
});
