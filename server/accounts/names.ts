// Members' names, kept so a guest cannot post under one: the name keys (shared/names.ts nameKey) of every member's
// username and display name, one document per key, keyed by `_id`.
//
// Why a collection keyed by `_id` rather than an indexed field on users: FerretDB's SQLite backend answers only
// `_id` lookups from an index and scans for every other filter, and this lookup runs on every guest's post. Why not
// a set in memory: several instances serve one forum, and a member registered on one must be refused to guests on
// all of them at once. A key is held while any member has that name: added at registration and rename, dropped at
// a rename only when no other member still has it.
import { Schema, type Connection, type Model } from 'mongoose';
import { nameKey } from '../../shared/names';
import { userModel, type UserDoc } from './model';

interface MemberNameRecord {
  /** nameKey(name). */
  _id: string;
  since: Date;
}

const memberNameSchema = new Schema<MemberNameRecord>(
  { _id: { type: String, required: true }, since: { type: Date, required: true } },
  { collection: 'membernames', versionKey: false },
);

const memberNameModel = (conn: Connection): Model<MemberNameRecord> =>
  (conn.models.MemberName as Model<MemberNameRecord> | undefined) ?? conn.model<MemberNameRecord>('MemberName', memberNameSchema);

const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;

/** Holds these names for members (idempotent: a key already held stays as it is). */
export async function holdMemberNames(conn: Connection, names: readonly string[]): Promise<void> {
  const keys = [...new Set(names.map(nameKey).filter(Boolean))];
  const Names = memberNameModel(conn);
  for (const _id of keys) {
    // Two upserts of one new key race to insert it: the loser's duplicate key means it is held, as wanted.
    await Names.updateOne({ _id }, { $setOnInsert: { since: new Date() } }, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
}

/** True when a member's username or display name has this name's key: one `_id` lookup. */
export async function isMemberName(conn: Connection, name: string): Promise<boolean> {
  const key = nameKey(name);
  return !!key && !!(await memberNameModel(conn).exists({ _id: key }));
}

/**
 * A member's display name changed from `old`: its key is let go unless another member still has it. Dropped first,
 * then checked, then held again if needed, so a member registering that name meanwhile (user first, key after)
 * never ends up unheld.
 */
export async function releaseMemberName(conn: Connection, old: string): Promise<void> {
  const key = nameKey(old);
  if (!key) return;
  await memberNameModel(conn).deleteOne({ _id: key });
  // A rare action: this filter scans on the embedded database, is served by indexes on MongoDB.
  const stillHeld = await userModel(conn).exists({ $or: [{ usernameKey: key }, { displayNameKey: key }] });
  if (stillHeld) await holdMemberNames(conn, [old]);
}

/** Bump when nameKey changes what it folds: the keys are then built again at the next start. */
const NAME_KEY_VERSION = 1;
const MARKER = 'accounts.memberNames';

/**
 * Members who registered before names were kept (or before nameKey last changed): their keys and users'
 * displayNameKey are built once, at start-up, and a marker records it so later starts skip the walk.
 */
export async function holdExistingMemberNames(conn: Connection): Promise<number> {
  const meta = conn.collection<{ _id: string; version: number }>('meta');
  const marker = await meta.findOne({ _id: MARKER });
  if ((marker?.version ?? 0) >= NAME_KEY_VERSION) return 0;
  const Users = userModel(conn);
  let n = 0;
  for await (const u of Users.find({}, { username: 1, displayName: 1, displayNameKey: 1 }).lean<UserDoc[]>().cursor()) {
    const key = nameKey(u.displayName);
    if (u.displayNameKey !== key) await Users.updateOne({ _id: u._id }, { $set: { displayNameKey: key } });
    await holdMemberNames(conn, [u.username, u.displayName]);
    n++;
  }
  await meta.updateOne({ _id: MARKER }, { $set: { version: NAME_KEY_VERSION } }, { upsert: true });
  return n;
}
