// Seeds the benchmark: a song with a 10,000-comment thread (bulk inserted in the model's shape), a second song
// for posting, and a member's session cookie.
import { randomBytes } from 'node:crypto';
import type { Forum } from '../../server/forum';
import mongoose from 'mongoose';
import { commentModel, threadPositionId, threadPositionModel } from '../../server/comments/model';
import { songModel } from '../../server/songs/model';
import { searchKeyOf } from '../../server/songs/text';

export async function seedThread(forum: Forum, count: number) {
  const conn = forum.deps.db.conn;
  const now = Date.now();
  const song = (t: string) => ({ slug: `bench-${t}`, title: t, artist: 'Bench', searchKey: searchKeyOf({ title: t, artist: 'Bench' }), activityAt: new Date(now), createdAt: new Date(now) });
  const [big] = await songModel(conn).insertMany([song('big-thread'), song('posting')]);
  const start = now - count * 1000;
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = i + j;
      return {
        _id: new mongoose.Types.ObjectId(),
        seq: n + 1,
        songId: big._id,
        author: { name: `Reader ${n % 97}`, location: 'Benchville', userId: null },
        body: `Comment number ${n}: ${randomBytes(24).toString('base64')} and a bit more text to look like a real comment.`,
        createdAt: new Date(start + n * 1000),
        idemKey: `bench:${n}`,
      };
    });
    await commentModel(conn).insertMany(batch);
    // The thread's positions, as the embedded thread store writes them (server/comments/store/embedded.ts).
    await threadPositionModel(conn).insertMany(batch.map((c) => ({ _id: threadPositionId(big._id, c.seq), commentId: c._id })));
  }
  await songModel(conn).updateOne({ _id: big._id }, { $set: { commentCount: count, lastSeq: count, lastCommentAt: new Date(start + (count - 1) * 1000) } });

  const res = await fetch(`${forum.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench_member', password: 'bench password 123' }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('chorus.sid=')) ?? '').split(';')[0];
  return { slug: 'bench-big-thread', postSlug: 'bench-posting', cookie };
}
