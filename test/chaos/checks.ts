// What must hold after the chaos, read from the stored documents themselves: every acknowledged post stored exactly
// once (by clientId), every counter equal to a recount, every reader caught up with every visible comment.
import { MongoClient, ObjectId, type Db } from 'mongodb';
import type { Ack, Reader } from './clients';
import { sleep } from './processes';

export interface Stored {
  stored: number;
  duplicates: string[];
  lost: string[];
  /** Acknowledged with one id, stored under another. */
  mismatched: string[];
}

export async function withDatabase<T>(uri: string, run: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    return await run(client.db());
  } finally {
    await client.close();
  }
}

export async function checkStored(db: Db, acks: Ack[]): Promise<Stored> {
  const comments = db.collection('comments');
  const out: Stored = { stored: 0, duplicates: [], lost: [], mismatched: [] };
  for (const a of acks) {
    const docs = await comments.find({ clientId: a.clientId }, { projection: { _id: 1 } }).toArray();
    if (docs.length === 0) out.lost.push(a.clientId);
    if (docs.length > 1) out.duplicates.push(a.clientId);
    if (docs.length >= 1) out.stored++;
    if (docs.length === 1 && String(docs[0]._id) !== a.id) out.mismatched.push(a.clientId);
  }
  return out;
}

/** Counters that differ from a recount of the stored comments and votes: "what: stored vs recounted". */
export async function counterMismatches(db: Db, songIds: ObjectId[]): Promise<string[]> {
  const wrong: string[] = [];
  const comments = await db.collection('comments').find({ songId: { $in: songIds } }, { projection: { songId: 1, parentId: 1, status: 1, score: 1, replyCount: 1 } }).toArray();
  const votes = await db.collection('votes').find({ commentId: { $in: comments.map((c) => c._id) } }, { projection: { commentId: 1, value: 1 } }).toArray();
  const score = new Map<string, number>();
  for (const v of votes) score.set(String(v.commentId), (score.get(String(v.commentId)) ?? 0) + v.value);
  const replies = new Map<string, number>();
  for (const c of comments) if (c.parentId && c.status === 'visible') replies.set(String(c.parentId), (replies.get(String(c.parentId)) ?? 0) + 1);
  for (const c of comments) {
    if ((c.score ?? 0) !== (score.get(String(c._id)) ?? 0)) wrong.push(`comment ${c._id} score: ${c.score} stored, ${score.get(String(c._id)) ?? 0} by its votes`);
    if ((c.replyCount ?? 0) !== (replies.get(String(c._id)) ?? 0)) wrong.push(`comment ${c._id} replyCount: ${c.replyCount} stored, ${replies.get(String(c._id)) ?? 0} visible replies`);
  }
  for (const song of await db.collection('songs').find({ _id: { $in: songIds } }, { projection: { commentCount: 1, slug: 1 } }).toArray()) {
    const visible = comments.filter((c) => String(c.songId) === String(song._id) && c.status === 'visible').length;
    if (song.commentCount !== visible) wrong.push(`song ${song.slug} commentCount: ${song.commentCount} stored, ${visible} visible comments`);
  }
  return wrong;
}

/** Waits (bounded) until `check` finds nothing wrong; answers what is still wrong at the end. */
export async function settles(check: () => Promise<string[]>, boundMs: number): Promise<{ wrong: string[]; ms: number }> {
  const start = Date.now();
  let wrong = await check();
  while (wrong.length && Date.now() - start < boundMs) {
    await sleep(500);
    wrong = await check();
  }
  return { wrong, ms: Date.now() - start };
}

/** What each reader is missing of the visible comments of its threads. */
export async function readersMissing(db: Db, readers: Reader[], songs: { slug: string; id: ObjectId }[]): Promise<string[]> {
  const missing: string[] = [];
  for (const song of songs) {
    const visible = await db.collection('comments').find({ songId: song.id, status: 'visible' }, { projection: { _id: 1 } }).toArray();
    readers.forEach((r, i) => {
      const seen = r.seen.get(song.slug)!;
      const lacks = visible.filter((c) => !seen.has(String(c._id)));
      if (lacks.length) missing.push(`reader ${i} lacks ${lacks.length} of ${song.slug} (${lacks.slice(0, 3).map((c) => String(c._id)).join(', ')})`);
    });
  }
  return missing;
}
