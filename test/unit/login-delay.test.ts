import assert from 'node:assert/strict';
import { LOGIN_LIMITS, loginDelayMs } from '../../server/http/security';

describe('login slow-down per address', () => {
  const free = LOGIN_LIMITS.addressFreeFailures;
  it('holds nobody while an address has few failures', () => {
    for (const failures of [0, 1, free - 1]) assert.equal(loginDelayMs(failures), 0);
  });
  it('grows with every failure beyond the free ones', () => {
    const delays = [free, free + 1, free + 2, free + 5].map(loginDelayMs);
    assert.ok(delays[0] > 0);
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i] > delays[i - 1], `${delays}`);
  });
  it('is capped, so a person behind a busy address still gets an answer', () => {
    assert.equal(loginDelayMs(free + 1000), LOGIN_LIMITS.addressMaxDelayMs);
    assert.ok(LOGIN_LIMITS.addressMaxDelayMs <= 10_000);
  });
});
