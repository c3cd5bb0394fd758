// The moderation pipeline's phases, each alone (table-driven), then in order; and the transitions table.
import assert from 'node:assert/strict';
import { nameKey } from '../../shared/names';
import { bannedWords, formTrap, guestPosingAsMember, linkCount, premoderation, screen, suspectWords, type Rules, type Submission } from '../../server/moderation/pipeline/phases';
import { formToken, renderedAt } from '../../server/moderation/pipeline/formToken';
import { matchWords } from '../../server/moderation/pipeline/words';
import { nextStatus, TRANSITIONS, type Transition } from '../../server/moderation/transitions';
import type { CommentStatus } from '../../shared/types';

const rules = (over: Partial<Rules> = {}): Rules => ({
  premoderation: 'off',
  guestPosting: true,
  bannedWords: ['darn', 'very bad phrase'],
  suspectWords: ['casino', 'crédit'],
  maxLinks: 2,
  flagThreshold: 3,
  guestMinFillMs: 3000,
  ...over,
});
/** The members of these tests: one called "Admin" (username admin), one "Zoë". */
const members = new Set(['admin', nameKey('Zoë')]);
const sub = (over: Partial<Submission> = {}): Submission => ({
  body: 'A fine song.',
  userId: 'm1',
  approvedComments: async () => 5,
  isMemberName: async (name) => members.has(nameKey(name)),
  now: 10_000,
  ...over,
});
const outcome = async (v: unknown) => (v === null ? 'pass' : 'refuse' in (v as object) ? `refuse ${(v as { refuse: { code: string } }).refuse.code}` : `hold`);

describe('moderation pipeline phases', () => {
  const table: [string, typeof bannedWords, Partial<Submission>, Partial<Rules>, string][] = [
    ['banned word, any case', bannedWords, { body: 'Well DARN it' }, {}, 'refuse BANNED_WORDS'],
    ['banned word with accents folded', bannedWords, { body: 'dárn' }, {}, 'refuse BANNED_WORDS'],
    ['banned phrase', bannedWords, { body: 'what a Very  bad phrase!' }, {}, 'refuse BANNED_WORDS'],
    ['a banned word inside another word passes', bannedWords, { body: 'darned socks' }, {}, 'pass'],
    ['no banned words', bannedWords, {}, {}, 'pass'],
    ['premoderation off', premoderation, {}, {}, 'pass'],
    ['premoderation all', premoderation, {}, { premoderation: 'all' }, 'hold'],
    ['premoderation new, established member', premoderation, {}, { premoderation: 'new' }, 'pass'],
    ['premoderation new, member with 2 approved', premoderation, { approvedComments: async () => 2 }, { premoderation: 'new' }, 'hold'],
    ['premoderation new, guest', premoderation, { userId: null }, { premoderation: 'new' }, 'hold'],
    ['suspect word', suspectWords, { body: 'Visit my Casino' }, {}, 'hold'],
    ['suspect word, accents folded', suspectWords, { body: 'easy CREDIT' }, {}, 'hold'],
    ['no suspect word', suspectWords, {}, {}, 'pass'],
    ['links within the limit', linkCount, { body: 'https://a.example and www.b.example' }, {}, 'pass'],
    ['more links than allowed', linkCount, { body: 'https://a.example http://b.example www.c.example' }, {}, 'hold'],
    ['no links allowed', linkCount, { body: 'see https://a.example' }, { maxLinks: 0 }, 'hold'],
    ['member skips the form trap', formTrap, { form: { trap: 'x', renderedAt: null } }, {}, 'pass'],
    ['guest without a page form (API)', formTrap, { userId: null }, {}, 'pass'],
    ['guest filled the honeypot', formTrap, { userId: null, form: { trap: 'http://spam', renderedAt: 0 } }, {}, 'refuse NOT_ACCEPTED'],
    ['guest posted too fast', formTrap, { userId: null, form: { trap: '', renderedAt: 9_000 } }, {}, 'refuse NOT_ACCEPTED'],
    ['guest form without a valid token', formTrap, { userId: null, form: { trap: '', renderedAt: null } }, {}, 'refuse NOT_ACCEPTED'],
    ['guest who took their time', formTrap, { userId: null, form: { trap: '', renderedAt: 5_000 } }, {}, 'pass'],
    ["guest under a member's name", guestPosingAsMember, { userId: null, guestName: 'Admin' }, {}, 'refuse NAME_TAKEN'],
    ["guest under a member's name, other case and accents", guestPosingAsMember, { userId: null, guestName: 'ÁDMÍN' }, {}, 'refuse NAME_TAKEN'],
    ["guest under a member's name, fullwidth letters", guestPosingAsMember, { userId: null, guestName: 'ａｄｍｉｎ' }, {}, 'refuse NAME_TAKEN'],
    ["guest under a member's name, without its accent", guestPosingAsMember, { userId: null, guestName: 'zoe' }, {}, 'refuse NAME_TAKEN'],
    ["guest under a member's name behind invisible characters", guestPosingAsMember, { userId: null, guestName: 'ad\u200Bmin\u2066' }, {}, 'refuse NAME_TAKEN'],
    ['guest under a name of their own', guestPosingAsMember, { userId: null, guestName: 'Admiral' }, {}, 'pass'],
    ['a member posts under their own name', guestPosingAsMember, { userId: 'm1', guestName: null }, {}, 'pass'],
  ];
  for (const [name, phase, s, r, expected] of table) {
    it(`${phase.name}: ${name} -> ${expected}`, async () => {
      assert.equal(await outcome(await phase(sub(s), rules(r))), expected);
    });
  }

  it('refuses before it holds, and collects every reason to hold', async () => {
    await assert.rejects(screen(sub({ body: 'darn casino' }), rules({ premoderation: 'all' })), { code: 'BANNED_WORDS' });
    const held = await screen(sub({ body: 'casino https://a https://b https://c' }), rules());
    assert.equal(held.status, 'pending');
    assert.equal(held.heldFor.length, 2);
    assert.deepEqual(await screen(sub(), rules()), { status: 'visible', heldFor: [] });
  });

  it('matches whole words and phrases only', () => {
    assert.deepEqual(matchWords("Don't say Señor or hello world", ['senor', 'hello world', 'world hello', 'say']), ['senor', 'hello world', 'say']);
  });

  it('reads back a signed form time, and refuses a forged one', () => {
    const token = formToken('secret-secret-secret', 1234);
    assert.equal(renderedAt('secret-secret-secret', token), 1234);
    assert.equal(renderedAt('another-secret-here', token), null);
    assert.equal(renderedAt('secret-secret-secret', token.replace('1234', '1000')), null);
    assert.equal(renderedAt('secret-secret-secret', 42), null);
  });
});

describe('comment status transitions (one table)', () => {
  const statuses: CommentStatus[] = ['visible', 'pending', 'rejected', 'removed'];
  const allowed: Record<Transition, Partial<Record<CommentStatus, CommentStatus>>> = {
    approve: { pending: 'visible' },
    hold: { visible: 'pending' },
    reject: { pending: 'rejected', visible: 'rejected' },
    remove: { visible: 'removed', pending: 'removed' },
    restore: { rejected: 'visible', removed: 'visible' },
  };
  for (const t of Object.keys(TRANSITIONS) as Transition[]) {
    for (const from of statuses) {
      const to = allowed[t][from];
      it(`${t} from ${from} -> ${to ?? '409 INVALID_TRANSITION'}`, () => {
        if (to) assert.equal(nextStatus(t, from), to);
        else assert.throws(() => nextStatus(t, from), { code: 'INVALID_TRANSITION' });
      });
    }
  }
});
