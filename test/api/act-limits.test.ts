// Members' acts that cost the forum more than they cost a person are budgeted per member (ACT_LIMITS): votes,
// password changes, display-name changes. Past the budget: 429 RATE_LIMITED with Retry-After, nothing done.
import assert from 'node:assert/strict';
import type { CommentDTO } from '../../shared/types';
import { ACT_LIMITS, waitInWords } from '../../server/http/security';
import { signUp, TEST_PASSWORD, type SignedUp } from '../helpers/accounts';
import { startTestForum, type TestForum } from '../helpers/forum';

describe("members' act limits", () => {
  let forum: TestForum;
  let admin: SignedUp;
  let slug: string;

  before(async () => {
    forum = await startTestForum();
    admin = await signUp(forum, { role: 'admin' });
    slug = (await admin.agent.post('/api/songs').send({ title: 'Budgeted', artist: 'The Limits' }).expect(201)).body.slug;
  });
  after(() => forum.close());

  const refused = (res: { status: number; body: { error?: { code: string } }; headers: Record<string, string> }) => {
    assert.equal(res.status, 429, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, 'RATE_LIMITED');
    assert.ok(Number(res.headers['retry-after']) > 0);
  };

  it("refuses a member's votes past the budget, leaving the score as the last vote set it, and not another member's", async () => {
    const c: CommentDTO = (await admin.agent.post(`/api/songs/${slug}/comments`).send({ body: 'vote on me' }).expect(201)).body;
    const [toggler, other] = [await signUp(forum), await signUp(forum)];
    for (let i = 0; i < ACT_LIMITS.vote.limit; i++) await toggler.agent.post(`/api/comments/${c.id}/votes`).send({ value: i % 2 ? 0 : 1 }).expect(200);
    refused(await toggler.agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }));
    // The budget's last vote was a 0 (an even count of votes): the refused one counted for nothing.
    const other1 = await other.agent.post(`/api/comments/${c.id}/votes`).send({ value: 1 }).expect(200);
    assert.equal(other1.body.score, 1);
  });

  it('refuses password changes past the budget, right or wrong, before checking the password', async () => {
    const member = await signUp(forum);
    // A new password the policy refuses, or the same one again, says so and spends none of the budget.
    for (let i = 0; i < ACT_LIMITS.password.limit + 2; i++) {
      const weak = await member.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'password12' }).expect(400);
      assert.match(weak.body.error.message, /^password: /);
    }
    const same = await member.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }).expect(400);
    assert.equal(same.body.error.message, 'newPassword: must differ from your current password');
    for (let i = 0; i < ACT_LIMITS.password.limit; i++) {
      await member.agent.post('/api/auth/password').send({ currentPassword: 'a wrong guess here', newPassword: 'a brand new passphrase' }).expect(401);
    }
    const tooMany = await member.agent.post('/api/auth/password').send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' });
    refused(tooMany);
    // The wait in words a person reads (the header keeps the seconds).
    assert.match(tooMany.body.error.message, /^Too many password changes; try again in 1[45] minutes\.$/);
    // Nothing changed: the old password still signs in.
    await forum.agent().post('/api/auth/login').send({ username: member.user.username, password: TEST_PASSWORD }).expect(200);
  });

  it('says how long to wait in seconds, minutes or hours', () => {
    assert.deepEqual([1, 45, 89, 90, 858, 3584, 5400, 7200].map(waitInWords), ['1 second', '45 seconds', '89 seconds', '2 minutes', '15 minutes', '60 minutes', '2 hours', '2 hours']);
  });

  it('refuses display-name and location changes past the budget (each rewrites their comments); saving them as they are is fine', async () => {
    const member = await signUp(forum);
    for (let i = 0; i < ACT_LIMITS.rename.limit - 1; i++) await member.agent.patch('/api/auth/me').send({ displayName: `Name ${i}` }).expect(200);
    await member.agent.patch('/api/auth/me').send({ location: 'Leeds' }).expect(200);
    refused(await member.agent.patch('/api/auth/me').send({ displayName: 'One Too Many' }));
    refused(await member.agent.patch('/api/auth/me').send({ location: 'York' }));
    const me = (await member.agent.get('/api/auth/me').expect(200)).body;
    assert.deepEqual([me.displayName, me.location], [`Name ${ACT_LIMITS.rename.limit - 2}`, 'Leeds']);
    // The settings form sends both every time: unchanged, nothing is rewritten or spent.
    await member.agent.patch('/api/auth/me').send({ displayName: me.displayName, location: 'Leeds' }).expect(200);
  });
});
