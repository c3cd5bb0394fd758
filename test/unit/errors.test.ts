import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { errorMiddleware, HttpError, toErrorBody } from '../../server/http/errors';

describe('the error shape', () => {
  const app = express();
  app.get('/api/boom', () => {
    throw new Error('secret internals at /srv/chorus/server/x.ts:12');
  });
  app.get('/api/teapot', () => {
    throw new HttpError(429, 'RATE_LIMITED', 'Slow down.', undefined, { 'Retry-After': '7' });
  });
  app.use(errorMiddleware);

  it('answers a server fault with 500 INTERNAL and no stack trace or internals', async () => {
    const res = await request(app).get('/api/boom').expect(500);
    assert.deepEqual(res.body, { error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } });
    assert.doesNotMatch(res.text, /secret|\.ts:|at /);
  });

  it('sends an HttpError with its status, code and headers', async () => {
    const res = await request(app).get('/api/teapot').expect(429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.equal(res.headers['retry-after'], '7');
  });

  it('turns schema failures into 400 VALIDATION naming the field', () => {
    const err = z.strictObject({ body: z.string().min(1) }).safeParse({ body: '' }).error!;
    const { status, body } = toErrorBody(err);
    assert.equal(status, 400);
    assert.equal(body.error.code, 'VALIDATION');
    assert.match(body.error.message, /^body: /);
  });

  it('maps the socket error the driver lets through when the database dies mid-command to 503 DB_UNAVAILABLE', () => {
    // As the chaos run met it: mongodb's Connection.writeCommand on a socket the killed database had ended.
    const err = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    err.stack = `Error: This socket has been ended by the other party\n    at Socket.writeAfterFIN [as write] (node:net:566:14)\n    at Connection.writeCommand (/srv/chorus/node_modules/mongodb/lib/cmap/connection.js:718:21)`;
    assert.equal(toErrorBody(err).status, 503);
    assert.equal(toErrorBody(err).body.error.code, 'DB_UNAVAILABLE');
    // The same code from anywhere else is not a database outage.
    const other = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE', stack: 'Error: This socket has been ended by the other party\n    at /srv/chorus/server/x.js:1:1' });
    assert.equal(toErrorBody(other).status, 500);
  });

  it('maps a lost database connection to 503 DB_UNAVAILABLE', () => {
    const err = Object.assign(new Error('connection refused'), { name: 'MongoServerSelectionError' });
    assert.equal(toErrorBody(err).status, 503);
    assert.equal(toErrorBody(err).body.error.code, 'DB_UNAVAILABLE');
  });
});
