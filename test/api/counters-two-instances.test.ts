// Two forum instances on one embedded database and one Redis, members voting, changing their votes and replying
// on both at once: afterwards every counter equals a recount of what is stored. FerretDB applies `$inc` as
// read-modify-write, so this holds only because instances sharing a Redis take each document's lock there
// (server/comments/store/redis-queue.ts); with the in-process queue alone, increments are lost. Recounts running on
// both instances meanwhile (repairs, start-ups) must not disturb them either.
import assert from 'node:assert/strict';
import type { CommentDTO, SongDTO } from '../../shared/types';
import mongoose from 'mongoose';
import { recountThread } from '../../server/comments/recount';
import { signUp, type SignedUp } from '../helpers/accounts';
import { closeTwoInstances, startTwoInstances, type TestForum } from '../helpers/forum';

interface StoredComment {
  _id: mongoose.Types.ObjectId;
  songId: mongoose.Types.ObjectId;
  parentId?: mongoose.Types.ObjectId | null;
  status: string;
  seq: number;
  score?: number;
  replyCount?: number;
  flagCount?: number;
}

/** Every counter that differs from a recount of the stored comments and votes, as "what: stored vs recounted". */
async function counterMismatches(forum: TestForum, songIds: string[]): Promise<string[]> {
  const db = forum.deps.db.conn.db!;
  const wrong: string[] = [];
  const songs = await db.collection('songs').find({}).toArray();
  for (const song of songs.filter((s) => songIds.includes(String(s._id)))) {
    const comments = (await db.collection('comments').find({ songId: song._id }).toArray()) as unknown as StoredComment[];
    const votes = await db.collection('votes').find({}).toArray();
    const score = new Map<string, number>();
    for (const v of votes) score.set(String(v.commentId), (score.get(String(v.commentId)) ?? 0) + v.value);
    // Flags a moderator dismissed no longer count.
    const flags = new Map<string, number>();
    for (const f of await db.collection('flags').find({ dismissed: { $ne: true } }).toArray()) flags.set(String(f.commentId), (flags.get(String(f.commentId)) ?? 0) + 1);
    const replies = new Map<string, number>();
    for (const c of comments) if (c.parentId && ['visible', 'removed'].includes(c.status)) replies.set(String(c.parentId), (replies.get(String(c.parentId)) ?? 0) + 1);
    for (const c of comments) {
      const id = String(c._id);
      if ((c.score ?? 0) !== (score.get(id) ?? 0)) wrong.push(`comment ${id} score: ${c.score} stored, ${score.get(id) ?? 0} by its votes`);
      if ((c.replyCount ?? 0) !== (replies.get(id) ?? 0)) wrong.push(`comment ${id} replyCount: ${c.replyCount} stored, ${replies.get(id) ?? 0} replies`);
      if ((c.flagCount ?? 0) !== (flags.get(id) ?? 0)) wrong.push(`comment ${id} flagCount: ${c.flagCount} stored, ${flags.get(id) ?? 0} standing flags`);
    }
    const visible = comments.filter((c) => c.status === 'visible').length;
    if (song.commentCount !== visible) wrong.push(`song ${song.slug} commentCount: ${song.commentCount} stored, ${visible} visible comments`);
    // Positions: each comment its own, and the thread's last position counts every claim (none lost either).
    const seqs = new Set(comments.map((c) => c.seq));
    if (seqs.size !== comments.length) wrong.push(`song ${song.slug}: ${comments.length} comments at ${seqs.size} positions`);
    if (song.lastSeq !== comments.length) wrong.push(`song ${song.slug} lastSeq: ${song.lastSeq} stored, ${comments.length} comments`);
  }
  return wrong;
}

describe('counters across two instances on one embedded database (Redis)', () => {
  let a: TestForum;
  let b: TestForum;
  let prefix: string;

  before(async () => {
    ({ a, b, prefix } = await startTwoInstances('counters', { POSTING_LIMIT_PER_MINUTE: '100000' }));
  });
  after(async () => {
    await closeTwoInstances(a, b, prefix);
  });

  it('keeps comment counts, reply counts and scores equal to a recount while members vote and reply on both at once', async function () {
    this.timeout(180_000);
    assert.equal(a.deps.threads.kind, 'embedded', 'this test is about the embedded database');
    const admin = await signUp(a, { role: 'admin' });
    const songs: SongDTO[] = [];
    for (const title of ['Tally One', 'Tally Two']) songs.push((await admin.agent.post('/api/songs').send({ title, artist: 'Two Instances' }).expect(201)).body);
    const members: SignedUp[] = [];
    for (let i = 0; i < 10; i++) members.push(await signUp(a));
    // Each member has a client on each instance (sessions are shared through Redis).
    const on = (m: SignedUp, i: number) => (i % 2 ? b.agent().set('cookie', m.cookie) : m.agent);
    const author = await signUp(a);
    const targets: CommentDTO[] = [];
    for (const song of songs) {
      for (let i = 0; i < 2; i++) {
        targets.push((await author.agent.post(`/api/songs/${song.slug}/comments`).send({ body: `target ${i}`, clientId: `t-${song.slug}-${i}` }).expect(201)).body);
      }
    }

    // Every member, on both instances at once: votes up on every target, then changes some to down and takes some
    // back, replies to every target and posts to every thread. Nothing waits for anything else.
    const work: Promise<{ status: number; body: unknown; what: string }>[] = [];
    const send = (what: string, req: PromiseLike<{ status: number; body: unknown }>) =>
      work.push(Promise.resolve(req).then((res) => ({ status: res.status, body: res.body, what })));
    members.forEach((m, mi) => {
      targets.forEach((t, ti) => {
        const vote = (value: number, step: number) => on(m, mi + ti + step).post(`/api/comments/${t.id}/votes`).send({ value });
        send(`member ${mi} votes on ${ti}`, vote(1, 0).then(() => vote((mi + ti) % 3 === 0 ? -1 : (mi + ti) % 3 === 1 ? 0 : 1, 1)));
        send(`member ${mi} votes again on ${ti}`, vote(mi % 2 ? -1 : 1, 1));
        send(`member ${mi} replies to ${ti}`, on(m, mi + ti + 1).post(`/api/songs/${songs[Math.floor(ti / 2)].slug}/comments`).send({ body: `reply ${mi}`, parentId: t.id, clientId: `r-${mi}-${ti}` }));
      });
      songs.forEach((s, si) => send(`member ${mi} posts to ${si}`, on(m, mi + si).post(`/api/songs/${s.slug}/comments`).send({ body: `post ${mi}`, clientId: `p-${mi}-${si}` })));
    });
    // Meanwhile both instances recount the threads (as a repair or a start-up does): a recount's corrections must not
    // interleave with the votes and replies either.
    const recounts = [a, b, a, b].flatMap((forum) => songs.map((s) => recountThread(forum.deps, new mongoose.Types.ObjectId(s.id))));
    const answers = await Promise.all(work);
    await Promise.all(recounts);
    for (const res of answers) assert.ok(res.status === 200 || res.status === 201, `${res.what}: ${res.status} ${JSON.stringify(res.body)}`);

    const wrong = await counterMismatches(a, songs.map((s) => s.id));
    assert.deepEqual(wrong, [], 'every counter equals a recount of the stored comments and votes');
    // And readers on either instance are told the same: the thread totals and the targets' scores and reply counts.
    for (const forum of [a, b]) {
      for (const [si, song] of songs.entries()) {
        const page = (await forum.agent().get(`/api/songs/${song.slug}/comments`).query({ limit: '100' }).expect(200)).body as { items: CommentDTO[]; total: number };
        // Two targets, a reply from each member to each of them and a post from each member.
        assert.equal(page.total, 2 + 2 * members.length + members.length, `${song.slug} total on ${forum === a ? 'a' : 'b'}`);
        for (const t of targets.slice(si * 2, si * 2 + 2)) assert.equal(page.items.find((c) => c.id === t.id)?.replyCount, members.length);
      }
    }
  });
  it('keeps comment counts, reply counts and flag counts equal to a recount while moderators and members act on both at once', async function () {
    this.timeout(180_000);
    const admin = await signUp(a, { role: 'admin' });
    const mod = await signUp(b, { role: 'moderator' });
    const author = await signUp(a);
    const troll = await signUp(b);
    const members: SignedUp[] = [];
    for (let i = 0; i < 5; i++) members.push(await signUp(a));
    // A member's or moderator's client on one instance or the other, by step (sessions are shared through Redis).
    const on = (m: SignedUp, i: number) => (i % 2 ? b : a).agent().set('cookie', m.cookie);
    const songs: SongDTO[] = [];
    for (const title of ['Moderated One', 'Moderated Two']) songs.push((await admin.agent.post('/api/songs').send({ title, artist: 'Two Instances' }).expect(201)).body);
    const post = async (m: SignedUp, song: SongDTO, body: string, parentId?: string) =>
      (await m.agent.post(`/api/songs/${song.slug}/comments`).send({ body, clientId: `m-${body.replace(/\W+/g, '-')}`, ...(parentId ? { parentId } : {}) }).expect(201)).body as CommentDTO;
    // Per thread: three comments of the author with two replies of the author each, and a comment and a reply to
    // each of the author's from a member who is banned meanwhile.
    const moved: CommentDTO[] = [];
    const tops: CommentDTO[] = [];
    for (const [si, song] of songs.entries()) {
      await post(troll, song, `troll ${si}`);
      for (let i = 0; i < 3; i++) {
        const top = await post(author, song, `top ${si} ${i}`);
        tops.push(top);
        moved.push(top);
        for (let r = 0; r < 2; r++) moved.push(await post(author, song, `reply ${si} ${i} ${r}`, top.id));
        await post(troll, song, `troll reply ${si} ${i}`, top.id);
      }
    }

    // Every comment of the author, all of them at once, each step on the other instance: flagged by three members
    // (held for review), approved (its flags dismissed), flagged, its flags dismissed, flagged again by a member
    // whose flag was dismissed and by another, rejected, restored, removed by a moderator, restored, removed by its
    // author and restored. Replies and their parents move side by side; the banned member's comments go with the ban.
    const flag = (m: number) => (c: CommentDTO, i: number) => on(members[m], i).post(`/api/comments/${c.id}/flags`).send({ reason: 'spam' });
    const act = (action: string) => (c: CommentDTO, i: number) => on(mod, i).post(`/api/moderation/comments/${c.id}`).send({ action });
    const remove = (who: SignedUp) => (c: CommentDTO, i: number) => on(who, i).delete(`/api/comments/${c.id}`);
    const steps: [string, (c: CommentDTO, i: number) => PromiseLike<{ status: number; body: unknown }>][] = [
      ['flag 0', flag(0)],
      ['flag 1', flag(1)],
      ['flag 2 (holds)', flag(2)],
      ['approve', act('approve')],
      ['flag 3', flag(3)],
      ['dismiss flags', act('dismiss-flags')],
      ['flag 0 again', flag(0)],
      ['flag 4', flag(4)],
      ['reject', act('reject')],
      ['restore', act('restore')],
      ['remove by a moderator', remove(mod)],
      ['restore', act('restore')],
      ['remove by its author', remove(author)],
      ['restore', act('restore')],
    ];
    for (const [k, [what, step]] of steps.entries()) {
      const requests = moved.map((c, ci) => Promise.resolve(step(c, ci + k)).then((res) => ({ status: res.status, body: res.body as unknown, what: `${what} ${c.id}` })));
      if (k === 3) {
        const ban = on(admin, k).post(`/api/moderation/users/${troll.user.id}`).send({ action: 'ban', reason: 'trolling', removeComments: true });
        requests.push(Promise.resolve(ban).then((res) => ({ status: res.status, body: res.body as unknown, what: 'ban with removal' })));
      }
      // Meanwhile both instances recount both threads (as repairs and start-ups do), over and over until the step's
      // requests are answered. Counters that move whole never give a recount anything to correct; and afterwards every
      // counter equals a recount of what is stored.
      let answered = false;
      const corrections: string[] = [];
      const recounting = [a, b].map(async (forum) => {
        while (!answered) {
          for (const s of songs) {
            const { fixed } = await recountThread(forum.deps, new mongoose.Types.ObjectId(s.id));
            if (fixed) corrections.push(`${forum === a ? 'a' : 'b'} corrected ${fixed} in ${s.slug}`);
          }
        }
      });
      const answers = await Promise.all(requests);
      answered = true;
      await Promise.all(recounting);
      assert.deepEqual(await counterMismatches(a, songs.map((s) => s.id)), [], `after "${what}" every counter equals a recount of the stored comments, votes and flags`);
      assert.deepEqual(corrections, [], `while "${what}" ran, no recount found a counter to correct`);
      for (const res of answers) assert.ok([200, 202, 204].includes(res.status), `${res.what}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // Readers on either instance: every comment of the author is back, the banned member's are gone (their replies
    // stay as placeholders, which a reply count counts).
    for (const forum of [a, b]) {
      for (const [si, song] of songs.entries()) {
        const page = (await forum.agent().get(`/api/songs/${song.slug}/comments`).query({ limit: '100' }).expect(200)).body as { items: CommentDTO[]; total: number };
        assert.equal(page.total, 9, `${song.slug} total on ${forum === a ? 'a' : 'b'}`);
        for (const t of tops.slice(si * 3, si * 3 + 3)) assert.equal(page.items.find((c) => c.id === t.id)?.replyCount, 3);
      }
    }
  });

  it('keeps scores equal to the votes while authors edit and moderators feature the comments voted on, on both at once', async function () {
    this.timeout(120_000);
    const admin = await signUp(a, { role: 'admin' });
    const song: SongDTO = (await admin.agent.post('/api/songs').send({ title: 'Tally Edits', artist: 'Two Instances' }).expect(201)).body;
    const author = await signUp(a);
    const voters: SignedUp[] = [];
    for (let i = 0; i < 8; i++) voters.push(await signUp(a));
    const on = (m: SignedUp, i: number) => (i % 2 ? b.agent().set('cookie', m.cookie) : m.agent);
    const targets: CommentDTO[] = [];
    for (let i = 0; i < 3; i++) targets.push((await author.agent.post(`/api/songs/${song.slug}/comments`).send({ body: `edit me ${i}` }).expect(201)).body);
    // Every voter votes on every target while its author edits it again and again and a moderator features it and
    // takes the pick back, each on both instances: an edit or a pick written over a vote's $inc would lose it.
    const work: Promise<{ status: number; what: string }>[] = [];
    const send = (what: string, req: PromiseLike<{ status: number }>) => work.push(Promise.resolve(req).then((res) => ({ status: res.status, what })));
    targets.forEach((t, ti) => {
      voters.forEach((v, vi) => send(`voter ${vi} on ${ti}`, on(v, vi + ti).post(`/api/comments/${t.id}/votes`).send({ value: vi % 3 ? 1 : -1 })));
      for (let e = 0; e < 6; e++) send(`edit ${e} of ${ti}`, on(author, e + ti).patch(`/api/comments/${t.id}`).send({ body: `edited ${e} of ${ti}` }));
      for (let f = 0; f < 4; f++) send(`pick ${f} of ${ti}`, on(admin, f + ti).post(`/api/moderation/comments/${t.id}`).send({ action: f % 2 ? 'unfeature' : 'feature' }));
    });
    // And the author renames themselves meanwhile (every comment of theirs is rewritten: their threads are recounted).
    for (let r = 0; r < 3; r++) send(`rename ${r}`, on(author, r).patch('/api/auth/me').send({ displayName: `Editor ${r}` }));
    const answers = await Promise.all(work);
    for (const forum of [a, b]) assert.ok(await forum.deps.repairs.settled(), 'recounts done');
    for (const res of answers) assert.ok(res.status === 200 || res.status === 201 || res.status === 409, `${res.what}: ${res.status}`);
    assert.deepEqual(await counterMismatches(a, [song.id]), [], 'every score equals the sum of its votes');
    const stored = await a.deps.db.conn.db!.collection('comments').find({ _id: mongoose.trusted({ $in: targets.map((t) => new mongoose.Types.ObjectId(t.id)) }) }).toArray();
    for (const c of stored) assert.match(String(c.body), /^edited \d of \d$/, 'an edit is never undone by a vote either');
  });
});
