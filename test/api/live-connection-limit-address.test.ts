// The cap on sockets per address counts each client's own address, not all of them as one: clients on two loopback
// addresses, directly and behind a proxy trusted by its address (TRUST_PROXY=loopback, the client's address then
// comes from X-Forwarded-For).
import assert from 'node:assert/strict';
import { io as ioClient } from 'socket.io-client';
import { startTestForum, type TestSocket } from '../helpers/forum';

const outcome = (s: TestSocket) =>
  new Promise<string>((resolve) => {
    s.once('connect', () => resolve('connected'));
    s.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve(e.data?.code ?? e.message));
  });

for (const [name, env, from] of [
  ['directly', {}, (n: number) => ({ localAddress: `127.0.0.${n + 1}` })],
  ['behind a proxy named by address (TRUST_PROXY=loopback)', { TRUST_PROXY: 'loopback' }, (n: number) => ({ extraHeaders: { 'x-forwarded-for': `198.51.100.${n}` } })],
] as const) {
  describe(`live: sockets per address are counted per client address, ${name}`, () => {
    it('lets another address in when one is at the cap', async () => {
      const forum = await startTestForum({ MAX_SOCKETS_PER_ADDRESS: '2', ...env });
      const opened: TestSocket[] = [];
      const open = (n: number) => {
        const s: TestSocket = ioClient(forum.url, { transports: ['websocket'], forceNew: true, reconnection: false, ...from(n) });
        opened.push(s);
        return outcome(s);
      };
      try {
        assert.deepEqual([await open(1), await open(1), await open(1), await open(2)], ['connected', 'connected', 'TOO_MANY_CONNECTIONS', 'connected']);
      } finally {
        opened.forEach((s) => s.disconnect());
        await forum.close();
      }
    });
  });
}
