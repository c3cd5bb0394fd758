// The roles x actions table of the one authorisation policy.
import assert from 'node:assert/strict';
import { can, type Action, type Actor, type CommentTarget, type PolicyContext } from '../../server/accounts/policy';

const now = new Date('2024-06-01T12:00:00Z');
const WINDOW = 15 * 60_000;
const ctx = (over: Partial<PolicyContext> = {}): PolicyContext => ({ now, editWindowMs: WINDOW, guestPosting: false, ...over });

const guest: Actor = null;
const member: Actor = { id: 'm1', role: 'member' };
const otherMember: Actor = { id: 'm2', role: 'member' };
const moderator: Actor = { id: 'mod', role: 'moderator' };
const admin: Actor = { id: 'adm', role: 'admin' };

const comment = (over: Partial<CommentTarget> = {}): CommentTarget => ({
  authorUserId: 'm1',
  createdAt: new Date(now.getTime() - 60_000),
  status: 'visible',
  ...over,
});
const fresh = comment();
const old = comment({ createdAt: new Date(now.getTime() - WINDOW - 1) });
const atEdge = comment({ createdAt: new Date(now.getTime() - WINDOW) });
const removed = comment({ status: 'removed' });
const pending = comment({ status: 'pending' });
const guestComment = comment({ authorUserId: null });

type Row = [who: string, actor: Actor, action: Action, target: CommentTarget | undefined, expected: boolean, ctx?: PolicyContext];

const table: Row[] = [
  // Posting
  ['guest, guest posting off', guest, 'comment.post', undefined, false],
  ['guest, guest posting on', guest, 'comment.post', undefined, true, ctx({ guestPosting: true })],
  ['member', member, 'comment.post', undefined, true],
  ['moderator', moderator, 'comment.post', undefined, true],
  ['admin', admin, 'comment.post', undefined, true],

  // Editing: own within the window, never after; moderators any time; never a removed comment
  ['author inside the window', member, 'comment.edit', fresh, true],
  ['author at the window edge', member, 'comment.edit', atEdge, true],
  ['author outside the window', member, 'comment.edit', old, false],
  ['author, edit window 0', member, 'comment.edit', fresh, false, ctx({ editWindowMs: 0 })],
  ['author of a pending comment', member, 'comment.edit', pending, true],
  ["another member's comment", otherMember, 'comment.edit', fresh, false],
  ['guest', guest, 'comment.edit', fresh, false],
  ["guest, on a guest's comment", guest, 'comment.edit', guestComment, false, ctx({ guestPosting: true })],
  ['moderator, others, outside the window', moderator, 'comment.edit', old, true],
  ['admin, others, outside the window', admin, 'comment.edit', old, true],
  ['author, removed comment', member, 'comment.edit', removed, false],
  ['moderator, removed comment', moderator, 'comment.edit', removed, false],

  // Removal: own any time, moderators any
  ['author, inside the window', member, 'comment.remove', fresh, true],
  ['author, outside the window', member, 'comment.remove', old, true],
  ["another member's comment", otherMember, 'comment.remove', fresh, false],
  ['guest', guest, 'comment.remove', guestComment, false],
  ['moderator', moderator, 'comment.remove', fresh, true],
  ["moderator, a guest's comment", moderator, 'comment.remove', guestComment, true],
  ['admin', admin, 'comment.remove', old, true],
  ['moderator, already removed', moderator, 'comment.remove', removed, false],

  // Votes and flags: members, on visible comments
  ['member votes', otherMember, 'comment.vote', fresh, true],
  ['guest votes', guest, 'comment.vote', fresh, false],
  ['guest votes with guest posting on', guest, 'comment.vote', fresh, false, ctx({ guestPosting: true })],
  ['member votes on removed', otherMember, 'comment.vote', removed, false],
  ['member flags', otherMember, 'comment.flag', fresh, true],
  ['guest flags', guest, 'comment.flag', fresh, false],
  ['member flags removed', otherMember, 'comment.flag', removed, false],
  ['author votes on their own comment', member, 'comment.vote', fresh, false],
  ['author flags their own comment', member, 'comment.flag', fresh, false],
  ['moderator votes on their own comment', moderator, 'comment.vote', comment({ authorUserId: 'mod' }), false],
  ['member votes on a pending comment', otherMember, 'comment.vote', pending, false],
  ['member flags a rejected comment', otherMember, 'comment.flag', comment({ status: 'rejected' }), false],
  ['author edits their rejected comment within the window', member, 'comment.edit', comment({ status: 'rejected' }), false],
  ['moderator edits a rejected comment', moderator, 'comment.edit', comment({ status: 'rejected' }), true],

  // Moderation queue
  ['member moderates', member, 'comment.moderate', fresh, false],
  ['moderator moderates', moderator, 'comment.moderate', fresh, true],
  ['admin moderates', admin, 'comment.moderate', fresh, true],

  // Songs and roles: admins only
  ['guest creates a song', guest, 'song.create', undefined, false],
  ['member creates a song', member, 'song.create', undefined, false],
  ['moderator creates a song', moderator, 'song.create', undefined, false],
  ['admin creates a song', admin, 'song.create', undefined, true],
  ['guest sets a role', guest, 'user.setRole', undefined, false],
  ['member sets a role', member, 'user.setRole', undefined, false],
  ['moderator sets a role', moderator, 'user.setRole', undefined, false],
  ['admin sets a role', admin, 'user.setRole', undefined, true],
];

describe('policy: roles x actions', () => {
  for (const [who, actor, action, target, expected, c] of table) {
    it(`${action}: ${who} -> ${expected ? 'allowed' : 'refused'}`, () => {
      assert.equal(can(actor, action, c ?? ctx(), target), expected);
    });
  }

  it('edit and remove without a comment are refused for everyone', () => {
    for (const actor of [guest, member, moderator, admin]) {
      assert.equal(can(actor, 'comment.edit', ctx()), false);
      assert.equal(can(actor, 'comment.remove', ctx()), false);
    }
  });
});
