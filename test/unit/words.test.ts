import assert from 'node:assert/strict';
import { inWords } from '../../shared/words';

describe('form errors in words a person reads', () => {
  const cases: [string, string, string][] = [
    ['VALIDATION', 'body: is required', 'Your comment is required.'],
    ['VALIDATION', 'body: must be at most 5000 characters; author.name: is required', 'Your comment must be at most 5000 characters. Your name is required.'],
    ['VALIDATION', 'author.name: is required for guests', 'Your name is required for guests.'],
    ['INVALID_PARENT', 'parentId: no such comment in this thread.', 'The comment you are replying to is no longer in this thread.'],
    ['UNAUTHENTICATED', 'Sign in to post.', 'Sign in to post.'],
    ['VALIDATION', 'mystery: is odd', 'Is odd.'],
    ['INVALID_CREDENTIALS', 'Your current password is not right.', 'Your current password is not right.'],
  ];
  for (const [code, message, want] of cases) it(`${code} "${message}"`, () => assert.equal(inWords(code, message), want));
});
