// A moderator's menu on a comment of the song page: feature (or not), approve, reject, restore one a moderator removed,
// ban its author. Plain forms that post to the moderation pages and come back to the comment, so they work with and
// without JavaScript; each says the status the moderator saw (`from`), so a comment another moderator moved meanwhile
// is left alone and the page says so.
import { LIMITS } from '../../shared/limits';
import type { UserDTO } from '../../shared/types';
import type { ViewComment } from './state';

export function ModMenu({ c, slug, user }: { c: ViewComment; slug: string; user: UserDTO }) {
  const back = `/songs/${slug}#c-${c.id}`;
  const id = `c-${c.id}-mod`;
  const banAuthor = !!c.author.userId && c.author.userId !== user.id;
  return (
    <details class="mod-menu" data-role="mod-menu">
      <summary>Moderate</summary>
      <form method="post" action={`/moderation/comments/${c.id}`}>
        <input type="hidden" name="next" value={back} />
        <input type="hidden" name="from" value={c.status} />
        {c.status === 'visible' && (
          <button type="submit" name="action" value={c.featured ? 'unfeature' : 'feature'} class="secondary">
            {c.featured ? "Remove from editor's picks" : "Make editor's pick"}
          </button>
        )}
        {c.status === 'pending' && (
          <button type="submit" name="action" value="approve">
            Approve
          </button>
        )}
        {(c.status === 'visible' || c.status === 'pending') && (
          <button type="submit" name="action" value="reject" class="danger">
            Reject
          </button>
        )}
        {c.status === 'removed' && (
          <button type="submit" name="action" value="restore">
            Restore
          </button>
        )}
      </form>
      {banAuthor && (
        <form method="post" action={`/moderation/users/${c.author.userId}`}>
          <input type="hidden" name="action" value="ban" />
          <input type="hidden" name="next" value={back} />
          <span>
            <label for={`${id}-reason`}>Reason for the ban</label>
            <input id={`${id}-reason`} name="reason" required maxLength={LIMITS.moderationReason} />
          </span>
          <button type="submit" class="danger">
            Ban {c.author.name}
          </button>
        </form>
      )}
    </details>
  );
}
