// Members and their secrets. The password hash lives in its own collection (credentials) so no query that
// returns a member can ever carry it, and no `select: false` is needed (FerretDB lacks projection in findAndModify).
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const userSchema = new Schema(
  {
    username: { type: String, required: true },
    // Lower-cased username: uniqueness is case-insensitive without collation (which FerretDB lacks).
    usernameKey: { type: String, required: true, unique: true },
    displayName: { type: String, required: true },
    /** nameKey(displayName): whether another member still has a name a rename lets go (accounts/names.ts). */
    displayNameKey: { type: String, default: null, index: true },
    location: { type: String, default: null },
    role: { type: String, enum: ['member', 'moderator', 'admin'], default: 'member', required: true },
    /** Sessions signed in before this moment are no longer signed in (set by a password change). */
    passwordChangedAt: { type: Date, default: null },
  },
  { collection: 'users', timestamps: { createdAt: true, updatedAt: true }, versionKey: false },
);

const credentialSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true, unique: true },
    /** argon2id PHC string (parameters inside it). */
    hash: { type: String, required: true },
  },
  { collection: 'credentials', timestamps: true, versionKey: false },
);

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: import('mongoose').Types.ObjectId; createdAt: Date };
export type CredentialDoc = InferSchemaType<typeof credentialSchema>;

export const userModel = (conn: Connection): Model<UserDoc> =>
  (conn.models.User as Model<UserDoc>) ?? conn.model<UserDoc>('User', userSchema as unknown as Schema<UserDoc>);

export const credentialModel = (conn: Connection): Model<CredentialDoc> =>
  (conn.models.Credential as Model<CredentialDoc>) ?? conn.model<CredentialDoc>('Credential', credentialSchema);
