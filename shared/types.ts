// The public shapes of ../shared/API.md, shared by server and browser.
import type { CommentStatus, ModerationSettings, QueueStatus, VoteValue } from './schemas';

export type { CommentAction, CommentStatus, ModerationSettings, QueueStatus, ThreadSort, VoteValue } from './schemas';
export type { ErrorBody, ErrorCode } from './errors';

export type Role = 'member' | 'moderator' | 'admin';

export interface UserDTO {
  id: string;
  username: string;
  displayName: string;
  location: string | null;
  role: Role;
  createdAt: string;
}

export interface ChartPeak {
  region: string;
  peak: number;
}

export interface SongDTO {
  id: string;
  slug: string;
  title: string;
  artist: string;
  featuring: string[];
  album: string | null;
  year: number | null;
  charts: ChartPeak[];
  /** Detail only; a fact's paragraphs joined by a blank line. */
  facts?: string[];
  commentCount: number;
  lastCommentAt: string | null;
}

export interface CommentDTO {
  id: string;
  songId: string;
  parentId: string | null;
  /** `guest`: posted without an account (userId null); every rendering marks it, so a guest never passes for a member. */
  author: { name: string; location: string | null; userId: string | null; guest: boolean };
  body: string;
  createdAt: string;
  editedAt: string | null;
  score: number;
  replyCount: number;
  status: CommentStatus;
  featured: boolean;
  /** Who removed it (status "removed"): its author, or a moderator. */
  removedBy: 'author' | 'moderator' | null;
  /** Who last edited it: its author, or a moderator (a moderator's edit is shown as such). */
  editedBy: 'author' | 'moderator' | null;
  /** Moderators only: the members' flags on it. */
  flags?: CommentFlags;
  /** The poster's clientId, so a browser can reconcile its own optimistic copy. */
  clientId?: string | null;
  /** Set on live `comment:created` events. */
  songSlug?: string;
  /** For a reply: who it answers and how their comment began, so it reads in context wherever it is shown. */
  inReplyTo?: ReplyContext | null;
  /** Only in the answer to a guest's own post: the secret that lets that browser edit or delete it (edit window). */
  guestToken?: string;
}

export interface ReplyContext {
  id: string;
  name: string;
  /** The parent was a guest's. */
  guest: boolean;
  /** The start of the parent's text ("" when it was removed). */
  excerpt: string;
  removed: boolean;
}

/** A signed-in member's own marks on a page of comments: never part of what every reader shares. */
export interface ViewerMarks {
  votes: Record<string, VoteValue>;
  flagged: string[];
}

/** A member as everyone sees them (`/users/:username`). */
export interface ProfileDTO extends UserDTO {
  commentCount: number;
}

export interface SongRef {
  slug: string;
  title: string;
  artist: string;
}

/** A comment on a member's profile: with the song it is about. */
export type ProfileComment = CommentDTO & { song: SongRef };

export type NotificationKind = 'reply' | 'mention';

export interface NotificationDTO {
  id: string;
  kind: NotificationKind;
  comment: CommentDTO;
  song: SongRef;
  read: boolean;
  createdAt: string;
}

export interface NotificationPage extends Page<NotificationDTO> {
  unread: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CommentPage extends Page<CommentDTO> {
  total: number;
  /** The thread's first page only: its editor's picks, newest first. */
  picks?: CommentDTO[];
}

export interface CommentFlags {
  count: number;
  reasons: { reason: string; count: number }[];
}

export interface SongRef {
  slug: string;
  title: string;
  artist: string;
}

/** A comment in the moderation queue: with its song, why it was held, and what its author did before. */
export interface QueueItem extends CommentDTO {
  song: SongRef;
  /** The tab it stands in. */
  queue: QueueStatus;
  /** Why the pipeline (or members' flags) held it, in the forum's words. */
  heldFor: string[];
  authorHistory: { visible: number; rejected: number; removed: number };
  flags: CommentFlags;
}

export type QueueCounts = Record<QueueStatus, number>;

export interface QueuePage extends Page<QueueItem> {
  counts: QueueCounts;
}

export interface BanDTO {
  reason: string;
  until: string | null;
}

export interface ModUser extends UserDTO {
  banned: BanDTO | null;
  /** Visible comments. */
  commentCount: number;
}

export interface LogEntry {
  id: string;
  at: string;
  moderator: { id: string; username: string };
  action: string;
  /** `label`: what it is in words ("Ana's comment on Heroes", "Ana (@ana)"); `url`: a page showing it now, if any. */
  target: { kind: 'comment' | 'user' | 'settings'; id: string; label: string; url: string | null };
  reason: string | null;
}

/** An editor's pick across songs (GET /api/picks, the home page). */
export interface PickDTO extends CommentDTO {
  song: SongRef;
}

export type Settings = ModerationSettings;
