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

  it('maps a lost database connection to 503 DB_UNAVAILABLE', () => {
    const err = Object.assign(new Error('connection refused'), { name: 'MongoServerSelectionError' });
    assert.equal(toErrorBody(err).status, 503);
    assert.equal(toErrorBody(err).body.error.code, 'DB_UNAVAILABLE');
  });
});
