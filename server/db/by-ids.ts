// Documents by _id, as a map by id: related data is fetched in a second query by ids (no $lookup on FerretDB).
import mongoose, { type Types } from 'mongoose';

/** Ids asked in one `$in` at most (Chorus's embedded database hands at most 1,000 to its index). */
const ID_SET_MAX = 500;

/** The ids once each, as given (ObjectIds for ObjectId _ids, strings for string ones). */
const uniqueIds = <I extends Types.ObjectId | string>(ids: I[]): I[] => [...new Map(ids.map((id) => [String(id), id] as const)).values()];

/** One `$in` (a batch of ids at a time): served from the index on MongoDB and on Chorus's embedded database. */
export async function byIds<T extends { _id: Types.ObjectId | string }>(model: mongoose.Model<T>, ids: T['_id'][], projection?: Record<string, 0 | 1>): Promise<Map<string, T>> {
  const unique = uniqueIds(ids);
  const found = new Map<string, T>();
  for (let at = 0; at < unique.length; at += ID_SET_MAX) {
    for (const r of await model.find({ _id: mongoose.trusted({ $in: unique.slice(at, at + ID_SET_MAX) }) }, projection).lean<T[]>()) found.set(String(r._id), r);
  }
  return found;
}

/**
 * As byIds where the database serves a set of _ids from its index (Database.idSetsFromIndex), else one lookup each,
 * which every FerretDB serves from the index (its PostgreSQL backend would scan for the `$in`).
 */
export async function byIdsServed<T extends { _id: Types.ObjectId | string }>(
  idSetsFromIndex: () => Promise<boolean>,
  model: mongoose.Model<T>,
  ids: T['_id'][],
  projection?: Record<string, 0 | 1>,
): Promise<Map<string, T>> {
  if (await idSetsFromIndex()) return byIds(model, ids, projection);
  const rows = await Promise.all(uniqueIds(ids).map((id) => model.findOne({ _id: id }, projection).lean<T>()));
  return new Map(rows.flatMap((r) => (r ? [[String(r._id), r] as const] : [])));
}
