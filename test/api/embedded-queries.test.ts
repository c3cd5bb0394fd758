// Queries the embedded database serves from an index (db/ferretdb/sqlite-pushdown): the same answers as a scan for
// every filter, and a plan that searches the index for the filters the forum runs most. Against real MongoDB (a
// TEST_MONGODB_URI) the same properties hold, read from its own plans.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import mongoose, { type Connection } from 'mongoose';
import { notificationModel } from '../../server/notifications/model';
import { commentModel } from '../../server/comments/model';
import { userModel } from '../../server/accounts/model';
import { pickModel, queueModel } from '../../server/moderation/model';
import { connectDatabase } from '../../server/db/connection';
import { testDatabaseUri } from '../helpers/database';
import { freshDbName } from '../helpers/forum';

type Plain = Record<string, unknown>;
/** A test document: a number for its _id. */
type Row = { _id: number } & Plain;

describe('the embedded database: filters on indexed fields', () => {
  let conn: Connection;

  before(async () => {
    conn = await mongoose.createConnection(await testDatabaseUri(), { dbName: freshDbName('embedded_queries') }).asPromise();
  });
  after(async () => {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  });

  /** The plan the server would follow for a find, as text: FerretDB's SQLite plan, or MongoDB's winning plan. */
  async function plan(collection: string, filter: Plain): Promise<string> {
    const res = await conn.db!.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' });
    const planner = res.queryPlanner as { Plan?: string[]; winningPlan?: unknown };
    return planner.Plan ? planner.Plan.join('\n') : JSON.stringify(planner.winningPlan);
  }
  const usesIndex = (p: string) => /USING (COVERING )?INDEX|IXSCAN/.test(p);

  it('finds what a scan finds, for any values: strings with quotes, escapes or accents, ObjectIds, arrays, $in, $eq', async () => {
    const ids = Array.from({ length: 3 }, () => new mongoose.Types.ObjectId());
    // Values that render alike or not in JSON: plain, needing escapes, unicode, an ObjectId and its hex as a string.
    const scalar = fc.oneof(
      fc.constantFrom('a', 'b', 'A', 'a"b', 'a\\b', '<tag>', 'é', 'ünï', '', ' a', '[x]', String(ids[0]), ids[0], ids[1], ids[2], 5, true, null),
      fc.string({ maxLength: 3 }),
    );
    const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.record({ x: scalar }) });
    // `who.id` is a dotted path: `who` may be a document, an array of them, or anything else.
    const who = fc.oneof(fc.record({ id: value }, { requiredKeys: [] }), fc.array(fc.record({ id: value }, { requiredKeys: [] }), { maxLength: 3 }), scalar);
    const doc = fc.record({ tag: value, owner: value, who, n: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ['n'] });
    const filter = fc.oneof(
      scalar.map((v) => ({ tag: v })),
      scalar.map((v) => ({ tag: { $eq: v } })),
      fc.array(scalar, { minLength: 1, maxLength: 4 }).map((vs) => ({ tag: { $in: vs } })),
      fc.tuple(scalar, fc.integer({ min: 0, max: 3 })).map(([v, n]) => ({ tag: v, n })),
      fc.tuple(scalar, scalar).map(([a, b]) => ({ owner: a, tag: b })),
      fc.array(scalar, { minLength: 1, maxLength: 3 }).map((vs) => ({ owner: { $in: vs } })),
      scalar.map((v) => ({ 'who.id': v })),
      fc.array(scalar, { minLength: 1, maxLength: 3 }).map((vs) => ({ 'who.id': { $in: vs }, n: { $gte: 1 } })),
    );

    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 12 }), fc.array(filter, { minLength: 1, maxLength: 6 }), async (docs, filters) => {
        round++;
        // The same documents in a collection with indexes (handed to SQLite) and one without (read whole).
        const indexed = conn.db!.collection<Row>(`indexed_${round}`);
        const plain = conn.db!.collection<Row>(`plain_${round}`);
        await indexed.createIndex({ tag: 1, n: 1 });
        await indexed.createIndex({ owner: 1 });
        await indexed.createIndex({ 'who.id': 1, _id: -1 });
        const rows: Row[] = docs.map((d, i) => ({ ...d, _id: i }));
        await indexed.insertMany(rows.map((r) => ({ ...r })));
        await plain.insertMany(rows.map((r) => ({ ...r })));
        for (const f of filters) {
          const found = async (c: typeof plain) => (await c.find(f as Plain, { projection: { _id: 1 } }).toArray()).map((r) => r._id).sort();
          assert.deepEqual(await found(indexed), await found(plain), `filter ${JSON.stringify(f)}`);
          assert.equal(await indexed.countDocuments(f as Plain), await plain.countDocuments(f as Plain));
        }
        await Promise.all([indexed.drop(), plain.drop()]);
      }),
      { numRuns: 40 },
    );
  });

  it("searches the index for a member's unread count, a comment's replies, a login, a member's comments, a thread's held comments and picks, and marks by _id", async () => {
    await Promise.all([notificationModel(conn).init(), commentModel(conn).init(), userModel(conn).init(), queueModel(conn).init(), pickModel(conn).init()]);
    const someone = String(new mongoose.Types.ObjectId());
    const notifications = notificationModel(conn).collection.collectionName;
    const comments = commentModel(conn).collection.collectionName;
    const users = userModel(conn).collection.collectionName;
    await conn.db!.collection('votes').insertOne({ _id: 'x:y' as never });
    for (const [collection, filter] of [
      [notifications, { userId: someone, read: false }],
      [notifications, { userId: someone }],
      [comments, { parentId: new mongoose.Types.ObjectId(), status: { $in: ['visible', 'removed'] } }],
      [users, { usernameKey: 'someone' }],
      [comments, { 'author.userId': someone, status: 'visible' }],
      [queueModel(conn).collection.collectionName, { songId: new mongoose.Types.ObjectId(), queue: { $in: ['pending', 'rejected'] } }],
      [pickModel(conn).collection.collectionName, { songId: new mongoose.Types.ObjectId() }],
      ['votes', { _id: { $in: ['a:b', 'c:d'] } }],
    ] as const) {
      const p = await plan(collection, filter);
      assert.ok(usesIndex(p), `${collection} ${JSON.stringify(filter)} searches an index:\n${p}`);
    }
    // A field no index leads is still read whole: the plan says so.
    assert.ok(!usesIndex(await plan(notifications, { kind: 'reply' })));
  });

  it('finds that a set of _ids is served from the index here, so the thread store reads a page in one query for its positions and one for its comments', async () => {
    const db = await connectDatabase(await testDatabaseUri(), conn.name);
    try {
      await notificationModel(db.conn).init();
      assert.equal(await db.idSetsFromIndex(), true);
    } finally {
      await db.close();
    }
  });
});
