// A member's profile, their settings and their notifications: server-rendered, plain forms, no script needed.
import { plural } from '../../shared/words';
import { LIMITS } from '../../shared/limits';
import type { NotificationPage, Page, ProfileComment, ProfileDTO, UserDTO } from '../../shared/types';
import { CommentCard } from '../components/CommentCard';
import { fullDate } from '../time';
import { Field, type FieldErrors } from './AccountPages';

const since = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** `editWindowMs`: the page is its member's own, so each comment links to editing it (within the window) and deleting it. */
export function ProfilePage({ profile, comments, now, editWindowMs }: { profile: ProfileDTO; comments: Page<ProfileComment>; now: number; editWindowMs?: number }) {
  const more = comments.nextCursor ? `/users/${encodeURIComponent(profile.username)}?cursor=${encodeURIComponent(comments.nextCursor)}` : null;
  return (
    <section class="profile" aria-labelledby="page-title">
      <h1 id="page-title">{profile.displayName}</h1>
      <dl class="profile-facts">
        <dt>Username</dt>
        <dd>@{profile.username}</dd>
        {profile.location && (
          <>
            <dt>From</dt>
            <dd>{profile.location}</dd>
          </>
        )}
        <dt>Member since</dt>
        <dd>
          <time dateTime={profile.createdAt} title={fullDate(profile.createdAt)}>
            {since(profile.createdAt)}
          </time>
        </dd>
        <dt>Comments</dt>
        <dd>{profile.commentCount}</dd>
      </dl>
      <h2>Comments</h2>
      {comments.items.length === 0 ? (
        <p class="muted">No comments yet.</p>
      ) : (
        <ol class="card-list" data-role="profile-comments">
          {comments.items.map((c) => (
            <li>
              <CommentCard comment={c} song={c.song} now={now} />
              {editWindowMs !== undefined && <OwnActions c={c} now={now} editWindowMs={editWindowMs} />}
            </li>
          ))}
        </ol>
      )}
      {more && (
        <p class="more">
          <a class="button" href={more}>
            Older comments
          </a>
        </p>
      )}
    </section>
  );
}

export interface SettingsProps {
  user: UserDTO;
  values?: { displayName?: string; location?: string };
  errors?: FieldErrors;
  passwordErrors?: FieldErrors;
  saved?: 'profile' | 'password';
}

export function SettingsPage({ user, values, errors = {}, passwordErrors = {}, saved }: SettingsProps) {
  return (
    <section class="account-page settings" aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      {saved && (
        <p class="form-saved" role="status">
          {saved === 'profile' ? 'Saved. Your comments show your new name.' : 'Password changed. You were signed out everywhere else.'}
        </p>
      )}
      <h2 id="profile-heading">Your name and place</h2>
      <form method="post" action="/settings" class="account-form" aria-labelledby="profile-heading">
        <Field name="displayName" label="Display name" value={values?.displayName ?? user.displayName} required maxLength={LIMITS.displayName} autoComplete="nickname" error={errors.displayName} />
        <Field name="location" label="Where you are from (optional)" value={values?.location ?? user.location ?? ''} maxLength={LIMITS.location} error={errors.location} />
        <p class="form-actions">
          <button type="submit">Save</button>
        </p>
      </form>
      <h2 id="password-heading">Password</h2>
      <form method="post" action="/settings/password" class="account-form" aria-labelledby="password-heading">
        <input type="text" name="username" value={user.username} autoComplete="username" hidden readOnly />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required error={passwordErrors.currentPassword} />
        <Field name="newPassword" label="New password" type="password" autoComplete="new-password" required hint={`At least ${LIMITS.password.min} characters.`} error={passwordErrors.newPassword} />
        <Field name="confirmPassword" label="New password again" type="password" autoComplete="new-password" required error={passwordErrors.confirmPassword} />
        <p class="form-actions">
          <button type="submit">Change password</button>
        </p>
        <p class="hint">Changing it signs you out on every other device.</p>
      </form>
    </section>
  );
}

export function NotificationsPage({ page, now }: { page: NotificationPage; now: number }) {
  const more = page.nextCursor ? `/notifications?cursor=${encodeURIComponent(page.nextCursor)}` : null;
  return (
    <section class="notifications" aria-labelledby="page-title">
      <h1 id="page-title">Notifications</h1>
      <p>{page.unread ? plural(page.unread, 'unread notification', 'unread notifications') : 'You are all caught up.'}</p>
      {page.unread > 0 && (
        <form method="post" action="/notifications/read">
          <button type="submit" class="secondary">
            Mark all as read
          </button>
        </form>
      )}
      {page.items.length === 0 ? (
        <p class="muted">Nothing yet. When someone replies to you or mentions you with @ and your username, it shows here.</p>
      ) : (
        <ol class="card-list" data-role="notifications">
          {page.items.map((n) => (
            <li class={n.read ? 'read' : 'unread'}>
              <CommentCard
                comment={n.comment}
                song={n.song}
                now={now}
                lead={`${n.read ? '' : 'New: '}${n.kind === 'reply' ? 'Reply from' : 'Mention by'}`}
                // Opening it marks it read (GET /notifications/ID goes on to the comment).
                open={{ href: `/notifications/${n.id}`, label: `Read ${n.comment.author.name}'s ${n.kind === 'reply' ? 'reply' : 'mention of you'} in the discussion of ${n.song.title}` }}
              />
            </li>
          ))}
        </ol>
      )}
      {more && (
        <p class="more">
          <a class="button" href={more}>
            Older notifications
          </a>
        </p>
      )}
    </section>
  );
}

/** A member's own comment on their profile: edit (while the window is open) and delete, pages that need no script. */
function OwnActions({ c, now, editWindowMs }: { c: ProfileComment; now: number; editWindowMs: number }) {
  const at = `/songs/${encodeURIComponent(c.song.slug)}/c/${c.id}`;
  const open = now - Date.parse(c.createdAt) < editWindowMs;
  return (
    <p class="own-actions" data-role="own-actions">
      {open && (
        <>
          <a href={`${at}/edit`}>
            Edit<span class="sr-only"> your comment on {c.song.title}</span>
          </a>{' '}
        </>
      )}
      <a href={`${at}/delete`}>
        Delete<span class="sr-only"> your comment on {c.song.title}</span>
      </a>
    </p>
  );
}
