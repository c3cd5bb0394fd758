// Notifications: one per member per comment that replies to or mentions them.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { NotificationKind } from '../../shared/types';

export interface NotificationRecord {
  /** An ObjectId made when the notification is: newest first is _id descending. */
  _id: Types.ObjectId;
  /**
   * `COMMENTID:USERID`: a comment notifies a member once, however often it is announced (a held comment approved
   * publishes the same `comment.created`), and a reply that also mentions them is one notification.
   */
  key: string;
  userId: string;
  kind: NotificationKind;
  commentId: Types.ObjectId;
  songId: Types.ObjectId;
  read: boolean;
  /** Marked read because its comment left readers' sight (settleNotificationsOf), not by the member: unread again if it comes back. */
  settled?: boolean;
  createdAt: Date;
}

const notificationSchema = new Schema<NotificationRecord>(
  {
    key: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: ['reply', 'mention'], required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    songId: { type: Schema.Types.ObjectId, required: true },
    read: { type: Boolean, default: false },
    settled: { type: Boolean },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
notificationSchema.index({ key: 1 }, { unique: true });
notificationSchema.index({ userId: 1, _id: -1 });
notificationSchema.index({ userId: 1, read: 1 });
// A comment that leaves readers' sight settles its notifications (service.ts settleNotificationsOf).
notificationSchema.index({ commentId: 1 });

export const notificationModel = (conn: Connection): Model<NotificationRecord> =>
  (conn.models.Notification as Model<NotificationRecord> | undefined) ?? conn.model<NotificationRecord>('Notification', notificationSchema);
