// The public shapes of ../shared/API.md, shared by server and browser.
import type { CommentStatus, VoteValue } from './schemas';

export type { CommentStatus, ThreadSort, VoteValue } from './schemas';
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
  author: { name: string; location: string | null; userId: string | null };
  body: string;
  createdAt: string;
  editedAt: string | null;
  score: number;
  replyCount: number;
  status: CommentStatus;
  featured: boolean;
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
export interface ProfileDTO {
  id: string;
  username: string;
  displayName: string;
  location: string | null;
  role: Role;
  createdAt: string;
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
}
