// Moderation as the comment services see it (comments/moderation.ts): built once in forum.ts and passed in, so
// comments/ asks and moderation/ answers without comments/ importing it.
import type { CommentRecord } from '../comments/model';
import type { CommentModeration } from '../comments/moderation';
import type { ForumDeps } from '../deps';
import { DomainError } from '../errors';
import { refuseBanned } from './bans';
import { noteNewComment } from './intake';
import { recordAction } from './log';
import { threadPicks } from './picks';
import { screenAuthorEdit, screenComment } from './pipeline';
import { refuseBannedWords } from './pipeline/phases';
import { syncQueue } from './queue';
import { moveComment } from './transitions';
import { heldAuthors, withViewer } from './viewer';

type Deps = Pick<ForumDeps, 'db' | 'bus' | 'threadCache' | 'threads' | 'logger' | 'settings' | 'config' | 'memberCache'>;

export function createCommentModeration(deps: Deps): CommentModeration {
  return {
    refuseBanned: (user) => refuseBanned(deps, user),
    screen: (s) => screenComment(deps, s),
    screenEdit: (body) => refuseBannedWords(body, deps.settings.current().bannedWords),
    screenAuthorEdit: (s) => screenAuthorEdit(deps, s),
    noteNew: (c) => noteNewComment(deps, c),
    move: (c, t, opts) => moveComment(deps, c, t, opts),
    flagsChanged: (c) => holdIfFlagged(deps, c),
    logAct: (actor, action, commentId) => recordAction(deps, actor, action, { kind: 'comment', id: commentId }, null),
    picks: (songId) => threadPicks(deps, songId),
    forViewer: (shared, viewer) => withViewer(deps, shared, viewer),
    heldAuthors: (songId) => heldAuthors(deps, songId),
  };
}

/** `flagThreshold` distinct members' flags hold a visible comment for review; fewer keep it in the Flagged tab. */
async function holdIfFlagged(deps: Deps, c: CommentRecord): Promise<void> {
  if (c.status === 'visible' && (c.flagCount ?? 0) >= deps.settings.current().flagThreshold) {
    await moveComment(deps, c, 'hold', { by: null, set: { heldFor: [`flagged by ${c.flagCount} members`] } }).catch((err) => {
      // Held (or removed) meanwhile by someone else: nothing left to do.
      if (!(err instanceof DomainError)) throw err;
    });
  } else {
    await syncQueue(deps, c);
  }
}
