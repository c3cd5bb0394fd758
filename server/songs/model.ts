// The song document and the indexes its queries need (by slug, by recent activity, by normalised title/artist).
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { SongDTO } from '../../shared/types';

export interface SongRecord extends Pick<SongDTO, 'slug' | 'title' | 'artist' | 'featuring' | 'album' | 'year' | 'charts'> {
  _id: Types.ObjectId;
  facts: string[];
  searchKey: string;
  commentCount: number;
  /** The last thread position handed out (comments' seq); positions are never reused. */
  lastSeq: number;
  lastCommentAt: Date | null;
  activityAt: Date;
  createdAt: Date;
}

const chartPeakSchema = new Schema({ region: { type: String, required: true }, peak: { type: Number, required: true } }, { _id: false });

const songSchema = new Schema<SongRecord>(
  {
    slug: { type: String, required: true },
    title: { type: String, required: true },
    artist: { type: String, required: true },
    featuring: { type: [String], default: [] },
    album: { type: String, default: null },
    year: { type: Number, default: null },
    charts: { type: [chartPeakSchema], default: [] },
    facts: { type: [String], default: [] },
    /** Lower-cased, accent-stripped title + artists: FerretDB has no collation or text index. */
    searchKey: { type: String, required: true },
    /** Visible + removed comments of the thread (removal keeps the placeholder, so it does not decrement). */
    commentCount: { type: Number, default: 0 },
    lastSeq: { type: Number, default: 0 },
    lastCommentAt: { type: Date, default: null },
    /** lastCommentAt, or createdAt before the first comment: always present, so the activity index pages without nulls. */
    activityAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

songSchema.index({ slug: 1 }, { unique: true });
songSchema.index({ activityAt: -1, _id: -1 });
songSchema.index({ searchKey: 1 });

export const songModel = (conn: Connection): Model<SongRecord> =>
  (conn.models.Song as Model<SongRecord> | undefined) ?? conn.model<SongRecord>('Song', songSchema);
