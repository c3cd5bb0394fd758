// The song list (the home page, GET /api/songs) on the embedded database comes from an order kept in memory
// (server/songs/activity-order.ts): the same pages, cursors and searches as the database's own sort, and a post
// moves its song to the top at once.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import mongoose from 'mongoose';
import type { Page, SongDTO } from '../../shared/types';
import { connectDatabase } from '../../server/db/connection';
import { createSongActivityOrder } from '../../server/songs/activity-order';
import { songModel } from '../../server/songs/model';
import { listSongs, readSongActivity } from '../../server/songs/service';
import { signUp } from '../helpers/accounts';
import { testDatabaseUri } from '../helpers/database';
import { freshDbName, startTestForum, type TestForum } from '../helpers/forum';

const WORDS = ['kinks', 'mac', 'sunset', 'days', 'dreams', 'blue'];

describe('the song list on the embedded database', () => {
  it('pages and searches exactly as the database sorts: the same songs, in the same order, with the same cursors', async function () {
    this.timeout(60_000);
    const song = fc.record({ at: fc.integer({ min: 0, max: 6 }), words: fc.uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }) });
    const query = fc.record({ q: fc.oneof(fc.constant(''), fc.constantFrom(...WORDS), fc.constantFrom('ki', 's d', 'zzz')), limit: fc.integer({ min: 1, max: 7 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(song, { minLength: 1, maxLength: 25 }), fc.array(query, { minLength: 1, maxLength: 3 }), async (songs, queries) => {
        const db = await connectDatabase(await testDatabaseUri(), freshDbName('song_list'));
        try {
          const base = new Date('2026-01-01T00:00:00Z').getTime();
          await songModel(db.conn).collection.insertMany(
            songs.map((s, i) => ({
              _id: new mongoose.Types.ObjectId(),
              title: `Song ${i}`,
              artist: s.words.join(' '),
              slug: `song-${i}`,
              searchKey: `song ${i} ${s.words.join(' ')}`,
              featuring: [],
              charts: [],
              facts: [],
              commentCount: 0,
              lastSeq: 0,
              lastCommentAt: null,
              // Few distinct times: ties are common, and broken by the newer song.
              activityAt: new Date(base + s.at * 1000),
              createdAt: new Date(base),
            })),
          );
          const fromOrder = { db, songOrder: createSongActivityOrder(readSongActivity({ db }), { ttlMs: 60_000 }) };
          const fromDatabase = { db, songOrder: null };
          for (const { q, limit } of queries) {
            let cursor: string | undefined;
            for (let pages = 0; pages < 30; pages++) {
              const [a, b]: Page<SongDTO>[] = [await listSongs(fromOrder, { q, cursor, limit }), await listSongs(fromDatabase, { q, cursor, limit })];
              assert.deepEqual(a.items.map((s) => s.slug), b.items.map((s) => s.slug), `q=${q} limit=${limit} page ${pages}`);
              assert.deepEqual(a.items, b.items);
              assert.equal(a.nextCursor, b.nextCursor);
              if (!a.nextCursor) break;
              cursor = a.nextCursor;
            }
          }
        } finally {
          await db.conn.dropDatabase().catch(() => undefined);
          await db.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  describe('in a running forum', () => {
    let forum: TestForum;
    before(async () => {
      forum = await startTestForum();
    });
    after(() => forum.close());

    it('puts a song whose thread was just posted in first, at once, and a new song too', async () => {
      const admin = await signUp(forum, { role: 'admin' });
      const slugs: string[] = [];
      for (const title of ['First', 'Second', 'Third']) slugs.push((await admin.agent.post('/api/songs').send({ title, artist: 'The Order' }).expect(201)).body.slug);
      const list = async () => ((await forum.agent().get('/api/songs').query({ q: 'the order' }).expect(200)).body.items as SongDTO[]).map((s) => s.slug);
      assert.deepEqual(await list(), [...slugs].reverse());
      await admin.agent.post(`/api/songs/${slugs[0]}/comments`).send({ body: 'Back to the top' }).expect(201);
      assert.deepEqual(await list(), [slugs[0], slugs[2], slugs[1]]);
      const fourth = (await admin.agent.post('/api/songs').send({ title: 'Fourth', artist: 'The Order' }).expect(201)).body.slug as string;
      assert.deepEqual(await list(), [fourth, slugs[0], slugs[2], slugs[1]]);
      const home = (await forum.agent().get('/').expect(200)).text;
      assert.ok(home.indexOf(`/songs/${fourth}`) < home.indexOf(`/songs/${slugs[0]}`), 'the home page lists them in that order');
    });
  });
});
