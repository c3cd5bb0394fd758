// The baseline: a bare Express app answering the same thread page with the same queries through the plain
// mongodb driver (song by slug, the page's thread positions, then their comments, each as one _id $in), and the same post
// (counter update, position, insert).
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MongoClient, ObjectId, type Document, type WithId } from 'mongodb';

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

export async function startBaseline(uri: string, dbName: string): Promise<Baseline> {
  const client = await MongoClient.connect(uri);
  const db = client.db(dbName);
  const songs = db.collection('songs');
  const comments = db.collection('comments');
  const positions = db.collection<{ _id: string; commentId: ObjectId }>('threadpositions');
  const app = express();
  app.use(express.json());

  const songIds = new Map<string, ObjectId>();
  const songBySlug = async (slug: string) => {
    const id = songIds.get(slug);
    const song = id ? await songs.findOne({ _id: id }) : await songs.findOne({ slug });
    if (song) songIds.set(slug, song._id);
    return song;
  };

  app.get('/songs/:slug/comments', async (req, res) => {
    const song = await songBySlug(req.params.slug);
    if (!song) return void res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such song.' } });
    const limit = Number(req.query.limit ?? 20);
    if (req.query.sort === 'top') {
      // The same query as Chorus's top sort (server/comments/service.ts listTop), first page.
      const top = await comments.find({ songId: song._id, status: { $in: ['visible', 'removed'] } }).sort({ score: -1, _id: 1 }).limit(limit + 1).toArray();
      return void res.json({ items: top.slice(0, limit).map((c) => ({ ...c, id: String(c._id) })), total: song.commentCount });
    }
    const from = typeof req.query.cursor === 'string' ? (JSON.parse(Buffer.from(req.query.cursor, 'base64url').toString('utf8')) as { k: number }).k : 0;
    let rows: WithId<Document>[];
    if (req.query.read === 'window') {
      // Chorus's MongoDB read path (readWindow): a seq window over the (songId, seq) index, sorted here.
      rows = (
        await comments
          .find({ songId: song._id, seq: { $gt: from, $lte: from + limit + 1 }, status: { $in: ['visible', 'removed'] } })
          .limit(limit + 1)
          .toArray()
      ).sort((a, b) => a.seq - b.seq);
    } else {
      // The same reads as Chorus on FerretDB (server/comments/store/embedded.ts): the page's positions, then their
      // comments, each as one _id $in (served from the index by Chorus's build of the embedded database).
      const seqs = Array.from({ length: Math.max(0, Math.min(limit + 1, song.lastSeq - from)) }, (_, i) => from + 1 + i);
      const slots = new Map((await positions.find({ _id: { $in: seqs.map((seq) => `${song._id}:${seq}`) } }).toArray()).map((p) => [p._id, p.commentId]));
      const ids = seqs.flatMap((seq) => slots.get(`${song._id}:${seq}`) ?? []);
      const byId = new Map((await comments.find({ _id: { $in: ids } }).toArray()).map((c) => [String(c._id), c]));
      rows = ids.flatMap((id) => byId.get(String(id)) ?? []).filter((c) => c.status !== 'pending');
    }
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    res.json({
      items: items.map((c) => ({ ...c, id: String(c._id), body: c.status === 'removed' ? '' : c.body })),
      nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ o: 'oldest', k: last.seq, i: String(last._id) })).toString('base64url') : null,
      total: song.commentCount,
    });
  });

  let turn: Promise<unknown> = Promise.resolve();
  app.post('/songs/:slug/comments', async (req, res) => {
    const song = await songBySlug(req.params.slug);
    if (!song) return void res.status(404).end();
    const createdAt = new Date();
    // Positions one at a time, as Chorus does (FerretDB applies concurrent $inc as read-modify-write).
    const take = turn.then(() =>
      songs.findOneAndUpdate(
        { _id: song._id },
        { $inc: { lastSeq: 1, commentCount: 1 }, $max: { lastCommentAt: createdAt, activityAt: createdAt } },
        { returnDocument: 'after' },
      ),
    );
    turn = take.catch(() => null);
    const taken = await take;
    let seq = taken!.lastSeq as number;
    const _id = new ObjectId();
    // Claimed by its unique _id, moving on past a taken one, as Chorus does.
    for (;; seq++) {
      try {
        await positions.insertOne({ _id: `${song._id}:${seq}`, commentId: _id });
        break;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    const doc = {
      _id,
      songId: song._id,
      seq,
      parentId: null,
      author: { name: 'Baseline', location: null, userId: 'baseline' },
      body: String(req.body.body),
      createdAt,
      editedAt: null,
      score: 0,
      replyCount: 0,
      status: 'visible',
      featured: false,
      clientId: null,
      idemKey: `once:${new ObjectId()}`,
    };
    const { insertedId } = await comments.insertOne(doc);
    res.status(201).json({ ...doc, id: String(insertedId) });
  });

  // Requests cut short by the shutdown at the end of a run: no stack traces in the report.
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end());

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await client.close();
    },
  };
}
