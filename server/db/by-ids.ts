// Documents by _id, as a map by id: related data is fetched in a second query by ids (no $lookup on FerretDB),
// and the embedded database serves _id lookups from its index.
import mongoose, { type Types } from 'mongoose';

export async function byIds<T extends { _id: Types.ObjectId }>(model: mongoose.Model<T>, ids: Types.ObjectId[], projection?: Record<string, 1>): Promise<Map<string, T>> {
  const unique = [...new Set(ids.map(String))];
  if (!unique.length) return new Map();
  const rows = await model.find({ _id: mongoose.trusted({ $in: unique.map((id) => new mongoose.Types.ObjectId(id)) }) }, projection).lean<T[]>();
  return new Map(rows.map((r) => [String(r._id), r]));
}
