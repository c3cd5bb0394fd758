// What the server hands the thread island (rendered on the server, then read by the browser from a JSON block).
import type { BanDTO, CommentPage, ThreadSort, UserDTO, VoteValue } from '../../shared/types';

export interface ThreadData {
  slug: string;
  page: CommentPage;
  sort: ThreadSort;
  /** The thread's newest comment id at render time (null when empty): the first catch-up starts after it. */
  newestId: string | null;
  /** Who the page was rendered for. In the page's JSON block always null: the member is in their own block (ViewerData). */
  user: UserDTO | null;
  guestPosting: boolean;
  editWindowMs: number;
  /**
   * null: the page is kept and served later (the page cache), so its times show as dates, which do not go stale; the
   * script shows them relative once it runs.
   */
  now: number | null;
  /** A clientId for the no-JavaScript form, so a resubmitted form never posts twice. */
  formClientId: string;
  /** Guests' form: the signed time it was rendered (the bot check of the guests' form). */
  formToken?: string;
  /** After a no-JavaScript post that was held for review: say so (a guest cannot see it in the thread). */
  held?: boolean;
  /** After a no-JavaScript report: say it was received (the script says so beside the button). */
  reported?: boolean;
  /** After a moderator's action from the song page (its plain forms): what it did, or why it did nothing. */
  modNote?: string;
  /** After a failed no-JavaScript post: the draft and the API's message, shown next to the form. */
  form?: { body: string; name?: string; location?: string; error: string };
  /** A permalink's page: it starts at this comment (oldest order), so a link leads back to the thread's start. */
  startsAt?: string | null;
  /** After a failed no-JavaScript vote or report: what went wrong, shown above the thread. */
  notice?: string;
}

/**
 * What only the signed-in member's page carries for the script: who they are, in a block of its own apart from the
 * thread data every reader shares (so a member's page is kept as parts around it). Their own votes and reports on the
 * page the script asks for (GET /api/comments/mine). A page made for this member alone (not kept as parts: after a
 * vote without the script, a moderator's, one with their held comments) carries their votes on it, so the plain vote
 * buttons show them pressed without the script too.
 */
export interface ViewerData {
  user: UserDTO;
  votes?: Record<string, VoteValue>;
  /** The member is banned: the page says so from the start, rather than when they next try to post. */
  ban?: BanDTO;
}

export const DATA_ID = 'thread-data';
export const VIEWER_ID = 'viewer-data';
export const ISLAND_ID = 'thread-app';
