// Replying to, reporting, editing and deleting a comment without JavaScript: a page per act, the comment quoted above
// its form.
import type { ComponentChildren } from 'preact';
import { LIMITS } from '../../shared/limits';
import type { CommentDTO, SongDTO, UserDTO } from '../../shared/types';
import { CommentCard, permalinkOf } from '../components/CommentCard';
import { isGuest, nameAsText } from '../components/GuestLabel';
import { CommentForm } from '../thread/CommentForm';

/** Each act's page: its title, the comment it acts on quoted, the form, and the way back to the discussion. */
function ActPage({ title, song, comment, now, back = true, children }: Target & { title: ComponentChildren; back?: boolean; children: ComponentChildren }) {
  return (
    <section class="form-page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <CommentCard comment={comment} song={song} now={now} />
      {children}
      {back && (
        <p>
          <a href={permalinkOf(song.slug, comment.id)}>Back to the discussion</a>
        </p>
      )}
    </section>
  );
}

interface Target {
  song: SongDTO;
  comment: CommentDTO;
  /** The server's clock when the page is made (these pages are made per request). */
  now: number;
}

/** `clientId`: the form's, so a resubmitted form posts once; `formToken`: guests' signed render time (the bot check). */
export function ReplyPage({ song, comment, now, user, guestPosting, draft, clientId, formToken }: Target & { user: UserDTO | null; guestPosting: boolean; draft?: { body: string; name?: string; location?: string; error: string }; clientId: string; formToken?: string }) {
  return (
    <ActPage title={`Reply to ${nameAsText(comment.author.name, isGuest(comment.author))}`} song={song} comment={comment} now={now}>
      {user || guestPosting ? (
        <CommentForm
          slug={song.slug}
          role="reply-form"
          idPrefix="reply"
          action={`/songs/${encodeURIComponent(song.slug)}/c/${comment.id}/reply`}
          guest={!user && guestPosting}
          ready={false}
          parentId={comment.id}
          clientId={clientId}
          formToken={formToken}
          label="Your reply"
          initial={draft ? { body: draft.body, name: draft.name, location: draft.location } : undefined}
          initialError={draft?.error}
        />
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(`/songs/${song.slug}/c/${comment.id}/reply`)}`}>Log in</a> or{' '}
          <a href={`/register?next=${encodeURIComponent(`/songs/${song.slug}/c/${comment.id}/reply`)}`}>create an account</a> to reply.
        </p>
      )}
    </ActPage>
  );
}

/** `own`: the member wrote it (the thread without script offers Report on every comment): no form, only why not. */
export function ReportPage({ song, comment, now, draft, own }: Target & { draft?: { reason: string; error: string }; own?: boolean }) {
  return (
    <ActPage title="Report a comment" song={song} comment={comment} now={now}>
      {own ? (
        <p data-role="own-comment">
          This is your own comment: you can <a href={`${ownLink(song.slug, comment.id)}/edit`}>edit it</a> or{' '}
          <a href={`${ownLink(song.slug, comment.id)}/delete`}>delete it</a> instead.
        </p>
      ) : (
        <form method="post" action={`/songs/${encodeURIComponent(song.slug)}/c/${comment.id}/report`} class="flag-form">
          <p class={`field${draft?.error ? ' has-error' : ''}`}>
            <label for="report-reason">Why should a moderator look at this?</label>
            <input id="report-reason" name="reason" required maxLength={LIMITS.flagReason} value={draft?.reason ?? ''} aria-invalid={draft?.error ? 'true' : undefined} aria-describedby={draft?.error ? 'report-error' : undefined} />
            {draft?.error && (
              <span class="field-error" id="report-error" role="alert">
                {draft.error}
              </span>
            )}
          </p>
          <p class="form-actions">
            <button type="submit">Send report</button>
          </p>
        </form>
      )}
    </ActPage>
  );
}

const ownLink = (slug: string, id: string) => `/songs/${encodeURIComponent(slug)}/c/${id}`;

/**
 * A member's own comment to edit. `closed`: why it can no longer be (the edit window, its status), said instead of the
 * form; `draft`: the text sent back with what was wrong with it.
 */
export function EditPage({ song, comment, now, draft, closed }: Target & { draft?: { body: string; error: string }; closed?: string }) {
  const error = draft?.error;
  return (
    <ActPage title="Edit your comment" song={song} comment={comment} now={now}>
      {closed ? (
        <p data-role="edit-closed">{closed}</p>
      ) : (
        <form method="post" action={`${ownLink(song.slug, comment.id)}/edit`} class="edit-form" data-role="edit-form">
          <p class={`field${error ? ' has-error' : ''}`}>
            <label for="edit-body">Your comment</label>
            <textarea id="edit-body" name="body" rows={6} required maxLength={LIMITS.commentBody} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'edit-error' : undefined} autoFocus={!!error}>
              {draft?.body ?? comment.body}
            </textarea>
            {error && (
              <span class="field-error" id="edit-error">
                {error}
              </span>
            )}
          </p>
          <p class="form-actions">
            <button type="submit">Save</button>
          </p>
        </form>
      )}
    </ActPage>
  );
}

/** Deleting a comment, asked once more: replies stay, under a note that it was removed. `error`: why it was not. */
export function DeletePage({ song, comment, now, error }: Target & { error?: string }) {
  return (
    <ActPage title="Delete your comment?" song={song} comment={comment} now={now} back={false}>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <p>It goes from the discussion for everyone. Replies to it stay, under a note that it was removed.</p>
      <form method="post" action={`${ownLink(song.slug, comment.id)}/delete`} class="form-actions" data-role="delete-form">
        <button type="submit">Delete it</button> <a href={permalinkOf(song.slug, comment.id)}>Keep it</a>
      </form>
    </ActPage>
  );
}
