// One document in, as Model.create would store it (the schema's casting, defaults and validation), without the save
// machinery around that: hooks (none of our schemas has one), change tracking, and an error made per save for its
// stack in case two saves of one document overlap. A post inserts three documents before readers hear of it, each
// on that path.
import type { Model } from 'mongoose';

/** Inserts `fields` as a new document of `model`; answers the stored record. Duplicate keys fail as with create. */
export async function insertRecord<T>(model: Model<T>, fields: Partial<T>): Promise<T> {
  const doc = new model(fields);
  const invalid = doc.validateSync();
  if (invalid) throw invalid;
  await model.collection.insertOne(doc.toBSON() as Record<string, unknown>);
  return doc.toObject() as T;
}
