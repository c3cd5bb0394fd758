// The public shapes of ../shared/API.md, shared by server and browser.
import type { CommentStatus } from './schemas';

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
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CommentPage extends Page<CommentDTO> {
  total: number;
}
