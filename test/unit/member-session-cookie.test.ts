// The member's page answered before the app reads the session cookie exactly as express-session does: the same
// parser, the same signature, so a cookie the app would take is taken and no other.
import assert from 'node:assert/strict';
import cookieSignature from 'cookie-signature';
import { signedSessionId } from '../../server/web/memberReads';

const SECRET = 'a-session-secret-for-this-test-only';
const signed = (sid: string, secret = SECRET) => encodeURIComponent(`s:${cookieSignature.sign(sid, secret)}`);

describe('signedSessionId: the session a member page request names', () => {
  it('finds the session id in the cookie express-session set, among other cookies', () => {
    assert.equal(signedSessionId(`theme=dark; chorus.sid=${signed('abc123')}; other=1`, 'chorus.sid', SECRET), 'abc123');
    assert.equal(signedSessionId(`chorus.sid="${signed('quoted')}"`, 'chorus.sid', SECRET), 'quoted');
  });

  it('takes nothing signed with another secret, unsigned, tampered with, or under another name', () => {
    assert.equal(signedSessionId(`chorus.sid=${signed('abc123', 'another-secret')}`, 'chorus.sid', SECRET), null);
    assert.equal(signedSessionId('chorus.sid=abc123', 'chorus.sid', SECRET), null);
    assert.equal(signedSessionId(`chorus.sid=${signed('abc123').replace('abc123', 'abc124')}`, 'chorus.sid', SECRET), null);
    assert.equal(signedSessionId(`other.sid=${signed('abc123')}`, 'chorus.sid', SECRET), null);
    assert.equal(signedSessionId('chorus.sid=%E0%A4%A', 'chorus.sid', SECRET), null);
    assert.equal(signedSessionId(undefined, 'chorus.sid', SECRET), null);
  });
});
