// Two forum instances on one database and one Redis: broadcasts, presence and recovery cross instances.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { io as ioClient } from 'socket.io-client';
import type { CommentDTO } from '../../shared/types';
import { createSong } from '../../server/songs/service';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, nextEvent, type TestForum, type TestSocket, closeTwoInstances, startTwoInstances, TEST_REDIS_URL } from '../helpers/forum';
import { barrier, record, until } from '../helpers/live';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
const cid = () => `r-${Date.now()}-${seq++}`;

describe('live threads across two instances (Redis)', () => {
  let prefix: string;
  let a: TestForum;
  let b: TestForum;
  let member: SignedUp;
  let song: string;
  let other: string;

  before(async () => {
    ({ a, b, prefix } = await startTwoInstances('live_redis', { POSTING_LIMIT_PER_MINUTE: '1000' }));
    member = await signUp(a);
    song = (await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Across', artist: 'The Instances' })).slug;
    other = (await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Elsewhere', artist: 'The Instances' })).slug;
  });

  after(async () => {
    await closeTwoInstances(a, b, prefix);
  });

  async function reader(forum: TestForum, slug = song, cookie?: string) {
    const s = forum.socket({ cookie });
    await connected(s);
    const reply = await emitAck(s, 'thread:join', { slug });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    return { socket: s, presence: reply.presence as number };
  }

  it('delivers a post made on one instance to readers on both, once each, and not to another thread', async () => {
    const onA = (await reader(a)).socket;
    const onB = (await reader(b)).socket;
    const elsewhere = (await reader(b, other)).socket;
    const [gotA, gotB, gotElsewhere] = [onA, onB, elsewhere].map((s) => record<CommentDTO>(s, 'comment:created'));
    const poster = (await reader(b, song, member.cookie)).socket; // the session made on A is good on B
    const reply = await emitAck(poster, 'comment:post', { slug: song, body: 'from B to all', clientId: cid() });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    assert.equal(reply.comment.author.userId, member.user.id);
    const http = await member.agent.post(`/api/songs/${song}/comments`).send({ body: 'from A over HTTP' }).expect(201);
    // Every broadcast goes through one Redis stream, read in order by both instances: a duplicate, or a copy sent
    // to the other thread, would arrive before the next comment posted to each thread.
    const next = await barrier(poster, song, [gotA, gotB]);
    const nextElsewhere = await barrier(poster, other, [gotElsewhere]);
    for (const got of [gotA, gotB]) assert.deepEqual(got.map((c) => c.id), [reply.comment.id, http.body.id, next.id]);
    assert.deepEqual(gotElsewhere.map((c) => c.id), [nextElsewhere.id]);
    for (const s of [onA, onB, elsewhere, poster]) s.disconnect();
  });

  it('counts readers on both instances in presence', async () => {
    const slug = (await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Headcount', artist: 'The Instances' })).slug;
    const first = await reader(a, slug);
    assert.equal(first.presence, 1);
    const counts = record<{ slug: string; count: number }>(first.socket, 'presence');
    const second = await reader(b, slug);
    assert.equal(second.presence, 2);
    await until(() => counts.at(-1)?.count === 2);
    assert.deepEqual(counts.at(-1), { slug, count: 2 });
    second.socket.disconnect();
    await until(() => counts.at(-1)?.count === 1);
    assert.deepEqual(counts.at(-1), { slug, count: 1 });
    first.socket.disconnect();
  });

  it('counts readers of an instance only while it keeps them alive (a crashed one ages out)', async () => {
    const ghosts = await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Ghosts', artist: 'The Instances' });
    const slug = ghosts.slug;
    const redis = new Redis(TEST_REDIS_URL);
    try {
      // A reader of a third instance (its heartbeat is fresh) and one of an instance that died a minute ago.
      await redis.zadd(`${prefix}:${a.dbName}:presence:${ghosts.id}`, Date.now() + 20_000, 'alive-elsewhere', Date.now() - 60_000, 'crashed-instance');
      const first = await reader(a, slug);
      assert.equal(first.presence, 2);
      first.socket.disconnect();
    } finally {
      await redis.quit();
    }
  });

  it('relays typing across instances', async () => {
    const typist = (await reader(a, song, member.cookie)).socket;
    const watcher = (await reader(b)).socket;
    const typing = nextEvent(watcher, 'typing');
    (typist as any).emit('typing', { slug: song });
    assert.deepEqual(await typing, { slug: song, name: member.user.displayName });
    typist.disconnect();
    watcher.disconnect();
  });

  it('recovers a short drop on the other instance, with what was missed', async () => {
    const poster = (await reader(a, song, member.cookie)).socket;
    const s = ioClient(a.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 100 }) as TestSocket;
    try {
      await connected(s);
      const presence = nextEvent(s, 'presence');
      assert.equal((await emitAck(s, 'thread:join', { slug: song })).ok, true);
      await presence;
      const got = record<CommentDTO>(s, 'comment:created');
      const id = s.id!;
      const dropped = nextEvent(s, 'disconnect');
      // The reader's next connection goes to instance B, as behind a load balancer after A went away.
      (s.io as unknown as { uri: string }).uri = b.url;
      s.io.engine.close();
      await dropped;
      while (a.io.of('/').sockets.has(id)) await sleep(10);
      const reply = await emitAck(poster, 'comment:post', { slug: song, body: 'missed on A, replayed by B', clientId: cid() });
      await nextEvent(s, 'connect');
      assert.equal(s.recovered, true);
      assert.ok(b.io.of('/').sockets.has(s.id!), 'the reader is now on B');
      // Back in the thread's room on B, live comments keep coming, after the replay and nothing twice.
      const after = await barrier(poster, song, [got]);
      assert.deepEqual(got.map((c) => c.id), [reply.comment.id, after.id]);
    } finally {
      s.disconnect();
      poster.disconnect();
    }
  });

  it('delivers a burst of 200 posts to three readers on two instances, each exactly once and in order', async () => {
    const slug = (await createSong(a.deps, (await signUp(a, { role: 'admin' })).user, { title: 'Burst', artist: 'The Instances' })).slug;
    const readers = [(await reader(a, slug)).socket, (await reader(a, slug)).socket, (await reader(b, slug)).socket];
    const got = readers.map((s) => record<CommentDTO>(s, 'comment:created'));
    const posters = [(await reader(a, slug, member.cookie)).socket, (await reader(b, slug, member.cookie)).socket];
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const reply = await emitAck(posters[i % 2], 'comment:post', { slug, body: `burst ${i}`, clientId: cid() }, 10_000);
      assert.equal(reply.ok, true, JSON.stringify(reply));
      sent.push(reply.comment.id);
    }
    // One more comment after the burst: when it has arrived, so has anything the burst sent (a duplicate too).
    const last = await barrier(posters[0], slug, got, 10_000);
    for (const g of got) {
      assert.equal(g.length, 201);
      assert.deepEqual(g.map((c) => c.id), [...sent, last.id]);
    }
    for (const s of [...readers, ...posters]) s.disconnect();
  });
});
