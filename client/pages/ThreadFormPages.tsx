// Replying to and reporting a comment without JavaScript: a page per act, the comment quoted above its form.
import { LIMITS } from '../../shared/limits';
import type { CommentDTO, SongDTO, UserDTO } from '../../shared/types';
import { CommentCard, permalinkOf } from '../components/CommentCard';
import { isGuest, nameAsText } from '../components/GuestLabel';
import { CommentForm } from '../thread/CommentForm';

interface Target {
  song: SongDTO;
  comment: CommentDTO;
  /** The server's clock when the page is made (these pages are made per request). */
  now: number;
}

/** `clientId`: the form's, so a resubmitted form posts once; `formToken`: guests' signed render time (the bot check). */
export function ReplyPage({ song, comment, now, user, guestPosting, draft, clientId, formToken }: Target & { user: UserDTO | null; guestPosting: boolean; draft?: { body: string; name?: string; location?: string; error: string }; clientId: string; formToken?: string }) {
  const back = permalinkOf(song.slug, comment.id);
  return (
    <section class="form-page" aria-labelledby="page-title">
      <h1 id="page-title">Reply to {nameAsText(comment.author.name, isGuest(comment.author))}</h1>
      <CommentCard comment={comment} song={song} now={now} />
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
      <p>
        <a href={back}>Back to the discussion</a>
      </p>
    </section>
  );
}

/** `own`: the member wrote it (the thread without script offers Report on every comment): no form, only why not. */
export function ReportPage({ song, comment, now, draft, own }: Target & { draft?: { reason: string; error: string }; own?: boolean }) {
  return (
    <section class="form-page" aria-labelledby="page-title">
      <h1 id="page-title">Report a comment</h1>
      <CommentCard comment={comment} song={song} now={now} />
      {own ? (
        <p data-role="own-comment">This is your own comment: you can edit or delete it instead (with JavaScript on, from the discussion).</p>
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
      <p>
        <a href={permalinkOf(song.slug, comment.id)}>Back to the discussion</a>
      </p>
    </section>
  );
}
