// One address may hold at most MAX_SOCKETS_PER_ADDRESS sockets, counted across instances with Redis; the socket
// over the cap gets a connect_error that says so, and a closed socket frees its place.
import assert from 'node:assert/strict';
import { io as ioClient } from 'socket.io-client';
import { connected, startTestForum, startTwoInstances, type TestForum, type TestSocket } from '../helpers/forum';


function socketFrom(forum: TestForum, address: string, opened: TestSocket[]): TestSocket {
  const s: TestSocket = ioClient(forum.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': address } });
  opened.push(s);
  return s;
}

const refusal = (socket: TestSocket) =>
  new Promise<Error & { data?: { code: string; message: string } }>((resolve, reject) => {
    socket.once('connect_error', resolve);
    socket.once('connect', () => reject(new Error('connected over the cap')));
  });

/** Closes a client socket and resolves once the server has seen it go. */
async function closeAndWait(forum: TestForum, socket: TestSocket) {
  const server = forum.io.sockets.sockets.get(socket.id!);
  assert.ok(server);
  const gone = new Promise((resolve) => server.once('disconnect', resolve));
  socket.disconnect();
  await gone;
}

describe('live: sockets per address', () => {
  let forum: TestForum;
  const opened: TestSocket[] = [];
  before(async () => (forum = await startTestForum({ MAX_SOCKETS_PER_ADDRESS: '3', TRUST_PROXY: '1' })));
  after(async () => {
    opened.forEach((s) => s.disconnect());
    await forum.close();
  });

  it('refuses the socket over the cap with TOO_MANY_CONNECTIONS, lets other addresses in, and frees a place on close', async () => {
    const mine = [1, 2, 3].map(() => socketFrom(forum, '198.51.100.1', opened));
    await Promise.all(mine.map((s) => connected(s)));
    const err = await refusal(socketFrom(forum, '198.51.100.1', opened));
    assert.equal(err.data?.code, 'TOO_MANY_CONNECTIONS');
    assert.match(err.data?.message ?? '', /Too many connections from your address \(at most 3\)/);
    await connected(socketFrom(forum, '198.51.100.2', opened));

    await closeAndWait(forum, mine[0]);
    await connected(socketFrom(forum, '198.51.100.1', opened));
    await refusal(socketFrom(forum, '198.51.100.1', opened));
  });
});

describe('live: sockets per address, across instances through Redis', () => {
  let one: TestForum;
  let two: TestForum;
  const opened: TestSocket[] = [];
  before(async () => {
    ({ a: one, b: two } = await startTwoInstances('connlimit', { MAX_SOCKETS_PER_ADDRESS: '3', TRUST_PROXY: '1' }));
  });
  after(async () => {
    opened.forEach((s) => s.disconnect());
    await Promise.all([one?.close(), two?.close()]);
  });

  it('counts one address on every instance, and frees the places of an instance that closes', async () => {
    await Promise.all([socketFrom(one, '203.0.113.5', opened), socketFrom(one, '203.0.113.5', opened), socketFrom(two, '203.0.113.5', opened)].map((s) => connected(s)));
    for (const forum of [one, two]) assert.equal((await refusal(socketFrom(forum, '203.0.113.5', opened))).data?.code, 'TOO_MANY_CONNECTIONS');
    await one.close();
    await connected(socketFrom(two, '203.0.113.5', opened));
    await connected(socketFrom(two, '203.0.113.5', opened));
    await refusal(socketFrom(two, '203.0.113.5', opened));
  });
});
