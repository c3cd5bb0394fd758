// Posts cut short: a reservation whose process died, one whose owner was only slow, and counters a failed write
// left wrong. What must hold after: the retry stores the comment exactly once, and counters equal a recount.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import mongoose from 'mongoose';
import type { CommentDTO, SongDTO } from '../../shared/types';
import { processOwner, RESERVATION_STALE_MS } from '../../server/comments/idempotency';
import { commentModel, postKeyModel, threadPositionId, threadPositionModel } from '../../server/comments/model';
import { RECENT_MS } from '../../server/comments/repair';
import { recountThread } from '../../server/comments/recount';
import { songModel } from '../../server/songs/model';
import { signUp, type SignedUp } from '../helpers/accounts';
import { connected, emitAck, startTestForum, type TestForum } from '../helpers/forum';

/** The pid of a process that has exited: a forum that was killed. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('comments API: posts cut short', () => {
  let forum: TestForum;
  let admin: SignedUp;
  let alice: SignedUp;
  let song: SongDTO;

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '10000' });
    admin = await signUp(forum, { role: 'admin' });
    alice = await signUp(forum);
    song = (await admin.agent.post('/api/songs').send({ title: 'Cut Short', artist: 'The Crashes' }).expect(201)).body;
  });
  after(() => forum.close());

  const songId = () => new mongoose.Types.ObjectId(song.id);
  const keyOf = (clientId: string) => `${song.id}:user:${alice.user.id}:${clientId}`;
  const post = (clientId: string, body = `comment ${clientId}`) => alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body, clientId });
  const commentsWith = (clientId: string) => commentModel(forum.deps.db.conn).countDocuments({ songId: songId(), clientId });
  const countOf = async () => (await songModel(forum.deps.db.conn).findOne({ _id: songId() }).lean())!.commentCount;
  /** What a process killed between reserving the key and writing the comment leaves: the key, and the count it moved. */
  async function abandon(clientId: string, reservation: { owner: string; ageMs?: number }) {
    await postKeyModel(forum.deps.db.conn).create({
      _id: keyOf(clientId),
      commentId: new mongoose.Types.ObjectId(),
      songId: songId(),
      owner: reservation.owner,
      createdAt: new Date(Date.now() - (reservation.ageMs ?? 0)),
    });
    await songModel(forum.deps.db.conn).updateOne({ _id: songId() }, { $inc: { commentCount: 1, lastSeq: 1 } });
  }
  async function assertCountsEqualRecount() {
    assert.equal(await forum.deps.repairs.settled(), true, 'the recount finished');
    const again = await recountThread(forum.deps, songId());
    assert.deepEqual(again, { fixed: 0, moved: false }, 'a fresh recount finds nothing to fix');
  }

  it('takes over the reservation of a forum process that was killed on this host, and stores the comment once', async () => {
    await abandon('killed-1', { owner: `${hostname()}:${deadPid()}:deadbeef` });
    const res = await post('killed-1').expect(201);
    const again = await post('killed-1').expect(200);
    assert.equal((again.body as CommentDTO).id, res.body.id);
    assert.equal(await commentsWith('killed-1'), 1);
    await assertCountsEqualRecount();
    assert.equal(await countOf(), await commentModel(forum.deps.db.conn).countDocuments({ songId: songId() }));
  });

  it('announces a comment whose forum was killed after storing it, before announcing it, once, at the retry', async () => {
    // Found by the chaos run: the retry answered 200 with the stored comment, and readers never heard of it.
    const reader = forum.socket();
    await connected(reader);
    assert.equal((await emitAck(reader, 'thread:join', { slug: song.slug })).ok, true);
    const heard: string[] = [];
    reader.on('comment:created', (c) => heard.push(c.body));
    // What the killed process left: its reservation, and the comment stored under it, never announced.
    const _id = new mongoose.Types.ObjectId();
    await postKeyModel(forum.deps.db.conn).create({ _id: keyOf('stored-unsaid'), commentId: _id, songId: songId(), owner: `${hostname()}:${deadPid()}:deadbeef`, createdAt: new Date() });
    const fields = { parentId: null, author: { name: alice.user.displayName, location: null, userId: alice.user.id }, body: 'stored, never said', clientId: 'stored-unsaid', status: 'visible' as const, heldFor: [], guestTokenHash: null };
    await forum.deps.threads.insertAtNextPosition({ _id: songId() }, fields, keyOf('stored-unsaid'), _id);
    const retry = (await post('stored-unsaid', 'stored, never said').expect(200)).body as CommentDTO;
    assert.equal(retry.id, String(_id));
    await post('stored-unsaid', 'stored, never said').expect(200);
    // Barrier: a later post reaches the reader after whatever the retries announced.
    await post('after-it', 'the next one').expect(201);
    for (const end = Date.now() + 5000; !heard.includes('the next one') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(heard, ['stored, never said', 'the next one'], 'announced once, by the first retry');
    assert.equal(await commentsWith('stored-unsaid'), 1);
    reader.disconnect();
  });

  /** Follows the song's thread; `heard` lists the bodies announced to it, in order. */
  async function follow() {
    const reader = forum.socket();
    await connected(reader);
    assert.equal((await emitAck(reader, 'thread:join', { slug: song.slug })).ok, true);
    const heard: string[] = [];
    reader.on('comment:created', (c) => heard.push(c.body));
    return { reader, heard };
  }
  /** Stores a comment under `clientId` as a post does, without announcing it. */
  async function storeUnsaid(clientId: string, body: string) {
    const _id = new mongoose.Types.ObjectId();
    const fields = { parentId: null, author: { name: alice.user.displayName, location: null, userId: alice.user.id }, body, clientId, status: 'visible' as const, heldFor: [], guestTokenHash: null };
    await forum.deps.threads.insertAtNextPosition({ _id: songId() }, fields, keyOf(clientId), _id);
    return _id;
  }
  async function heardAfterBarrier(heard: string[], barrier: string) {
    await post(`barrier-${barrier.replace(/\W+/g, '-')}`, barrier).expect(201);
    for (const end = Date.now() + 5000; !heard.includes(barrier) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    return heard;
  }

  it('announces a comment whose write landed although its post answered an error (the database went away mid-write)', async () => {
    // Found by the chaos run (CI, seed 13): this live process owned the reservation, its write reached the database
    // but the answer did not; the client retried and got 200 with the comment, and no reader ever heard of it.
    const { reader, heard } = await follow();
    const _id = await storeUnsaid('landed-unsaid', 'landed, never said');
    await postKeyModel(forum.deps.db.conn).create({ _id: keyOf('landed-unsaid'), commentId: _id, songId: songId(), owner: processOwner, createdAt: new Date() });
    assert.equal(((await post('landed-unsaid', 'landed, never said').expect(200)).body as CommentDTO).id, String(_id));
    await post('landed-unsaid', 'landed, never said').expect(200);
    assert.deepEqual(await heardAfterBarrier(heard, 'after landed'), ['landed, never said', 'after landed'], 'announced once, by the first retry');
    reader.disconnect();
  });

  it('announces a comment whose failed post gave its key back although the write had landed', async () => {
    // The failed post released its reservation; the retry reserves afresh and meets the stored comment's unique key.
    const { reader, heard } = await follow();
    const _id = await storeUnsaid('released-unsaid', 'released, never said');
    assert.equal(((await post('released-unsaid', 'released, never said').expect(200)).body as CommentDTO).id, String(_id));
    await post('released-unsaid', 'released, never said').expect(200);
    assert.deepEqual(await heardAfterBarrier(heard, 'after released'), ['released, never said', 'after released'], 'announced once, by the first retry');
    assert.equal(await commentsWith('released-unsaid'), 1);
    reader.disconnect();
  });

  it('does not announce again a comment whose post was answered (a lost answer, retried)', async () => {
    const { reader, heard } = await follow();
    await post('answered-once', 'said once').expect(201);
    // The note that it was announced does not hold up the answer: wait until it is stored, as a retry seconds later finds it.
    for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
      if ((await postKeyModel(forum.deps.db.conn).findOne({ _id: keyOf('answered-once') }).lean())?.announced) break;
    }
    await post('answered-once', 'said once').expect(200);
    assert.deepEqual(await heardAfterBarrier(heard, 'after answered'), ['said once', 'after answered']);
    reader.disconnect();
  });

  it('takes over a reservation from another host once it is older than any post takes', async () => {
    await abandon('stale-1', { owner: 'another-host:123:cafe', ageMs: RESERVATION_STALE_MS + 1000 });
    await post('stale-1').expect(201);
    assert.equal(await commentsWith('stale-1'), 1);
    await assertCountsEqualRecount();
  });

  it('answers 409 while the owner of a fresh reservation may still be storing it, and never stores twice', async () => {
    await postKeyModel(forum.deps.db.conn).create({ _id: keyOf('in-flight'), commentId: new mongoose.Types.ObjectId(), songId: songId(), owner: processOwner, createdAt: new Date() });
    const res = await post('in-flight').expect(409);
    assert.equal(res.body.error.code, 'CONFLICT');
    assert.equal(await commentsWith('in-flight'), 0);
  });

  it('answers with the comment a slow owner stored when its reservation was taken over meanwhile', async () => {
    const first = (await post('slow-owner', 'the slow original').expect(201)).body as CommentDTO;
    // The reservation was taken over by a retry (it names a comment id that never got written) ...
    await postKeyModel(forum.deps.db.conn).updateOne(
      { _id: keyOf('slow-owner') },
      { $set: { commentId: new mongoose.Types.ObjectId(), owner: 'another-host:1:x', createdAt: new Date(Date.now() - RESERVATION_STALE_MS - 1000) } },
    );
    const count = await countOf();
    // ... and that retry's own write meets the original under the comment's unique key: one comment, the original.
    const retry = (await post('slow-owner', 'the slow original').expect(200)).body as CommentDTO;
    assert.equal(retry.id, first.id);
    assert.equal(await commentsWith('slow-owner'), 1);
    await assertCountsEqualRecount();
    assert.equal(await countOf(), count);
  });

  it("answers a post whose comment was stored and announced though its counters failed to move, and recounts them", async () => {
    await post('before-failed-count').expect(201); // the instance knows the thread's last position: counters move after the comment
    const { reader, heard } = await follow();
    const Songs = songModel(forum.deps.db.conn);
    const updateOne = Songs.updateOne;
    Songs.updateOne = (() => {
      Songs.updateOne = updateOne;
      return Promise.reject(new Error('the database went away after the comment'));
    }) as unknown as typeof updateOne;
    try {
      const res = await post('failed-count', 'stored, counted later').expect(201);
      assert.equal((res.body as CommentDTO).body, 'stored, counted later');
    } finally {
      Songs.updateOne = updateOne;
    }
    assert.deepEqual(await heardAfterBarrier(heard, 'after failed count'), ['stored, counted later', 'after failed count']);
    await assertCountsEqualRecount();
    assert.equal(await countOf(), await commentModel(forum.deps.db.conn).countDocuments({ songId: songId(), status: 'visible' }));
    reader.disconnect();
  });

  it('answers the retry of a post killed between its comment and its counters, having reserved nothing: once, announced, recounted', async () => {
    // On the store's only instance a live post checks its key instead of reserving it, and moves the thread's counters
    // after its comment: a kill in between leaves the comment alone, with no record of its key.
    const { reader, heard } = await follow();
    const song0 = (await songModel(forum.deps.db.conn).findOne({ _id: songId() }).lean())!;
    const seq = (await forum.deps.threads.lastPosition(song0)) + 1;
    const _id = new mongoose.Types.ObjectId();
    await threadPositionModel(forum.deps.db.conn).create({ _id: threadPositionId(songId(), seq), commentId: _id });
    await commentModel(forum.deps.db.conn).create({
      _id, songId: songId(), seq, createdAt: new Date(), idemKey: keyOf('cut-before-count'), parentId: null,
      author: { name: alice.user.displayName, location: null, userId: alice.user.id }, body: 'stored, never counted nor said', clientId: 'cut-before-count', status: 'visible', heldFor: [], guestTokenHash: null,
    });
    assert.equal(((await post('cut-before-count', 'stored, never counted nor said').expect(200)).body as CommentDTO).id, String(_id));
    await post('cut-before-count', 'stored, never counted nor said').expect(200);
    assert.deepEqual(await heardAfterBarrier(heard, 'after cut before count'), ['stored, never counted nor said', 'after cut before count'], 'announced once, by the first retry');
    assert.equal(await commentsWith('cut-before-count'), 1);
    await assertCountsEqualRecount();
    assert.equal(await countOf(), await commentModel(forum.deps.db.conn).countDocuments({ songId: songId(), status: 'visible' }));
    reader.disconnect();
  });

  it("recounts at start-up a quiet thread whose killed post stored its comment but never moved the counters", async () => {
    const quiet: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Quiet', artist: 'The Crashes' }).expect(201)).body;
    const quietId = new mongoose.Types.ObjectId(quiet.id);
    // What a kill between the comment and its counters leaves in a thread last active an hour ago: the position and
    // the comment, the song as it was.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await songModel(forum.deps.db.conn).updateOne({ _id: quietId }, { $set: { activityAt: hourAgo } });
    const _id = new mongoose.Types.ObjectId();
    await threadPositionModel(forum.deps.db.conn).create({ _id: threadPositionId(quietId, 1), commentId: _id });
    await commentModel(forum.deps.db.conn).create({
      _id, songId: quietId, seq: 1, createdAt: new Date(), idemKey: `${quiet.id}:killed-quiet`, parentId: null,
      author: { name: alice.user.displayName, location: null, userId: alice.user.id }, body: 'stored, never counted', clientId: 'killed-quiet', status: 'visible', heldFor: [], guestTokenHash: null,
    });
    assert.equal((await forum.agent().get(`/api/songs/${quiet.slug}`).expect(200)).body.commentCount, 0);
    await forum.deps.repairs.recountRecent(new Date(Date.now() - RECENT_MS));
    assert.equal(await forum.deps.repairs.settled(), true);
    assert.equal((await forum.agent().get(`/api/songs/${quiet.slug}`).expect(200)).body.commentCount, 1);
    const page = (await forum.agent().get(`/api/songs/${quiet.slug}/comments`).expect(200)).body as { total: number; items: CommentDTO[] };
    assert.deepEqual([page.total, page.items.map((c) => c.body)], [1, ['stored, never counted']]);
  });

  it('recounts a thread whose counters a cut-short write left wrong: count, replies, scores', async () => {
    const parent = (await post('parent').expect(201)).body as CommentDTO;
    await alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body: 'a reply', parentId: parent.id }).expect(201);
    await admin.agent.post(`/api/comments/${parent.id}/votes`).send({ value: 1 }).expect(200);
    const Comments = commentModel(forum.deps.db.conn);
    await Comments.updateOne({ _id: parent.id }, { $set: { score: 7, replyCount: 0 } });
    await songModel(forum.deps.db.conn).updateOne({ _id: songId() }, { $inc: { commentCount: 3 } });
    forum.deps.repairs.markDirty(songId());
    await assertCountsEqualRecount();
    const fixed = (await Comments.findOne({ _id: parent.id }).lean())!;
    assert.deepEqual([fixed.score, fixed.replyCount], [1, 1]);
    assert.equal((await forum.agent().get(`/api/songs/${song.slug}`).expect(200)).body.commentCount, await Comments.countDocuments({ songId: songId() }));
  });
});

describe('comments API: a cut-short post retried at the posting limit', () => {
  let forum: TestForum;
  let alice: SignedUp;
  let song: SongDTO;

  before(async () => {
    forum = await startTestForum({ POSTING_LIMIT_PER_MINUTE: '2' });
    const admin = await signUp(forum, { role: 'admin' });
    alice = await signUp(forum);
    song = (await admin.agent.post('/api/songs').send({ title: 'At The Limit', artist: 'The Crashes' }).expect(201)).body;
  });
  after(() => forum.close());

  it('answers the retry with its comment, not 429, once the restarted forum has looked over the last minutes', async () => {
    const songId = new mongoose.Types.ObjectId(song.id);
    const post = (clientId: string, body: string) => alice.agent.post(`/api/songs/${song.slug}/comments`).send({ body, clientId });
    // What a kill between the comment and its key's record leaves (the sole instance reserves nothing): the comment,
    // its position, no record of the key. The poster has since used up their posts for the minute.
    const _id = new mongoose.Types.ObjectId();
    await threadPositionModel(forum.deps.db.conn).create({ _id: threadPositionId(songId, 1), commentId: _id });
    await commentModel(forum.deps.db.conn).create({
      _id, songId, seq: 1, createdAt: new Date(), idemKey: `${song.id}:user:${alice.user.id}:cut-at-limit`, parentId: null,
      author: { name: alice.user.displayName, location: null, userId: alice.user.id }, body: 'stored before the kill', clientId: 'cut-at-limit', status: 'visible', heldFor: [], guestTokenHash: null,
    });
    await post('first', 'first of the minute').expect(201);
    await post('second', 'second of the minute').expect(201);
    await post('third', 'one too many').expect(429);
    // The start-up pass of a restarted forum.
    await forum.deps.repairs.recountRecent(new Date(Date.now() - RECENT_MS));
    const retried = await post('cut-at-limit', 'stored before the kill').expect(200);
    assert.equal((retried.body as CommentDTO).id, String(_id));
    assert.equal(await commentModel(forum.deps.db.conn).countDocuments({ songId, clientId: 'cut-at-limit' }), 1);
    // The limit still holds for anything new.
    await post('fourth', 'still too many').expect(429);
    const page = (await forum.agent().get(`/api/songs/${song.slug}/comments`).expect(200)).body as { total: number; items: CommentDTO[] };
    assert.deepEqual([page.total, page.items.map((c) => c.body)], [3, ['stored before the kill', 'first of the minute', 'second of the minute']]);
  });
});
