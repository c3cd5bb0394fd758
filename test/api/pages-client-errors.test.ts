// A person's malformed request to a page gets a page they can read (4xx), and the operator's log gets no error
// with a stack for it: a bad %-escape, a form too large or with too many fields, a form in another charset.
import assert from 'node:assert/strict';
import { createSong } from '../../server/songs/service';
import { signUp } from '../helpers/accounts';
import { capturingLogger, startTestForum, type TestForum } from '../helpers/forum';

describe('pages: client errors are 4xx pages, not 500s', () => {
  let forum: TestForum;
  let slug: string;
  const log = capturingLogger();
  before(async () => {
    forum = await startTestForum({ GUEST_POSTING: 'true' }, { logger: log.logger });
    const admin = await signUp(forum, { role: 'admin' });
    slug = (await createSong(forum.deps, admin.user, { title: 'Client Errors', artist: 'The Malformed' })).slug;
  });
  after(() => forum.close());

  const form = (path: string, body: string, type = 'application/x-www-form-urlencoded') =>
    forum.agent().post(path).set('origin', forum.url).set('content-type', type).send(body);

  const cases: [what: string, run: () => Promise<{ status: number; text: string; headers: Record<string, string> }>, status: number, says: RegExp][] = [
    ['a song address with a broken %-escape', () => forum.agent().get('/songs/%ff'), 400, /address is not valid/],
    ['a login form over 16 KB', () => form('/login', `username=a&password=${'x'.repeat(17 * 1024)}`), 413, /too large/],
    ['a register form over 16 KB', () => form('/register', `username=a&password=${'x'.repeat(17 * 1024)}`), 413, /too large/],
    ['a comment form over 64 KB', () => form(`/songs/${slug}/comments`, `body=${'x'.repeat(65 * 1024)}`), 413, /too large/],
    ['a comment form with over 1,000 fields', () => form(`/songs/${slug}/comments`, Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&')), 413, /too many fields/],
    ['a login form in an unknown charset', () => form('/login', 'username=a&password=b', 'application/x-www-form-urlencoded; charset=foo'), 415, /UTF-8/],
  ];

  for (const [what, run, status, says] of cases) {
    it(`answers ${what} with a readable ${status} page, logged without an error or a stack`, async () => {
      assert.ok(slug);
      const before = log.entries.length;
      const res = await run();
      assert.equal(res.status, status, res.text.slice(0, 300));
      assert.match(res.headers['content-type'], /text\/html/);
      assert.match(res.text, says);
      assert.doesNotMatch(res.text, /at .*\.(ts|js):\d+/);
      const logged = log.entries.slice(before);
      const errors = logged.filter((e) => e.level >= 50);
      assert.deepEqual(errors, [], 'nothing logged as an error');
      assert.ok(!logged.some((e) => e.err?.stack), 'no stack in the log');
    });
  }

  it('keeps the API answering JSON for a broken %-escape', async () => {
    const res = await forum.agent().get('/api/songs/%ff').expect(400);
    assert.equal(res.body.error.code, 'BAD_REQUEST');
  });
});
