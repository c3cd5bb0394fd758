// The moderators' pages: the queue (tabs with counts, each item with its song, text, flags, author history and the
// actions), members, the log, and the admins' settings. Every action is a plain form: they work without JavaScript.
import { banEnd, roleWithArticle } from '../../shared/words';
import type { ComponentChildren } from 'preact';
import { LIMITS } from '../../shared/limits';
import type { LogEntry, ModerationSettings, ModUser, QueueCounts, QueueItem, QueueStatus, UserDTO } from '../../shared/types';
import { GuestLabel, isGuest, nameAsText } from '../components/GuestLabel';
import { renderText } from '../text';
import { fullDate } from '../time';

export const QUEUE_DATA_ID = 'queue-data';
export const QUEUE_ISLAND_ID = 'queue-app';

const TABS: [QueueStatus, string][] = [
  ['pending', 'Pending'],
  ['flagged', 'Flagged'],
  ['rejected', 'Rejected'],
];

export function ModNav({ here, user }: { here: string; user: UserDTO | null }) {
  const links: [string, string][] = [
    ['/moderation', 'Queue'],
    ['/moderation/users', 'Members'],
    ['/moderation/log', 'Log'],
  ];
  if (user?.role === 'admin') links.push(['/admin/settings', 'Settings']);
  return (
    <nav class="mod-nav" aria-label="Moderation">
      {links.map(([href, label]) => (
        <a href={href} aria-current={here === href ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

/** What a moderator's action did, in a short note shown after it (the page's flash). */
export const DONE: Record<string, string> = {
  approve: 'Approved.',
  reject: 'Rejected.',
  restore: 'Restored.',
  feature: "Made an editor's pick.",
  unfeature: "Removed from editor's picks.",
  'dismiss-flags': 'Flags dismissed.',
  ban: 'Banned.',
  unban: 'Ban lifted.',
  'set-role': 'Role changed.',
};

/**
 * The note of what was just done, in a live region that is always there (a region inserted already filled is often
 * not read out); `seq` makes each new note a new node in it, so the same note twice is read twice.
 */
function Flash({ text, seq }: { text?: string; seq?: number }) {
  return (
    <div role="status">
      {text && (
        <p class="flash" id="flash" tabIndex={-1} key={seq}>
          {text}
        </p>
      )}
    </div>
  );
}

export interface QueueData {
  status: QueueStatus;
  items: QueueItem[];
  counts: QueueCounts;
  nextCursor: string | null;
  user: UserDTO | null;
  flash?: string;
}

/** In the browser: an item's action taken in place (no reload); the answer is an error in words, or null. */
export type QueueAct = (item: QueueItem, action: string, reason: string) => void;

/** The queue page; hydrated in the browser so tabs' counts and items follow the queue live, and act in place. */
export function QueueView(p: QueueData & { live?: string; act?: QueueAct; errors?: Record<string, string>; flashSeq?: number }) {
  const here = `/moderation?status=${p.status}`;
  return (
    <section aria-labelledby="page-title" data-role="moderation-queue" data-state={p.live ?? 'static'}>
      <h1 id="page-title">Moderation queue</h1>
      <ModNav here="/moderation" user={p.user} />
      <Flash text={p.flash} seq={p.flashSeq} />
      <ul class="tabs" aria-label="Queue tabs">
        {TABS.map(([key, label]) => (
          <li>
            <a href={`/moderation?status=${key}`} aria-current={p.status === key ? 'page' : undefined} data-tab={key}>
              {label} (<span data-role="count">{p.counts[key]}</span>)
            </a>
          </li>
        ))}
      </ul>
      {p.items.length === 0 && <p class="muted">Nothing here. Well done.</p>}
      <ol class="queue" aria-label={`${TABS.find(([k]) => k === p.status)![1]} comments`}>
        {p.items.map((item) => (
          <QueueEntry key={item.id} item={item} back={here} act={p.act} error={p.errors?.[item.id]} />
        ))}
      </ol>
      {p.nextCursor && (
        <p class="more">
          <a class="button" href={`${here}&cursor=${encodeURIComponent(p.nextCursor)}`}>
            Older items
          </a>
        </p>
      )}
    </section>
  );
}

function QueueEntry({ item, back, act, error }: { item: QueueItem; back: string; act?: QueueAct; error?: string }) {
  const id = `q-${item.id}`;
  const h = item.authorHistory;
  const actions: [string, string, string?][] =
    item.status === 'pending'
      ? [['approve', 'Approve'], ['reject', 'Reject', 'danger']]
      : item.status === 'visible'
        ? [['dismiss-flags', 'Keep (dismiss flags)'], ['reject', 'Reject', 'danger']]
        : [['restore', 'Restore']];
  return (
    <li class="queue-item" id={id} tabIndex={-1} data-queue-id={item.id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="sr-only">
        Comment by {nameAsText(item.author.name, isGuest(item.author))} on {item.song.title}
      </h2>
      <p class="comment-meta">
        <strong data-role="comment-author">{item.author.name}</strong>
        <GuestLabel author={item.author} />
        {item.author.location && ` from ${item.author.location}`} on{' '}
        <a href={`/songs/${item.song.slug}`}>
          {item.song.title} by {item.song.artist}
        </a>
        {' · '}
        <time dateTime={item.createdAt}>{fullDate(item.createdAt)}</time>
      </p>
      <div class="comment-body" data-role="comment-body">
        {renderText(item.body)}
      </div>
      {item.heldFor.length > 0 && <p class="muted">Held: {item.heldFor.join('; ')}</p>}
      {item.flags.count > 0 && (
        <p class="muted" data-role="flags">
          Flagged by {item.flags.count}: {item.flags.reasons.map((r) => `${r.reason}${r.count > 1 ? ` (${r.count})` : ''}`).join('; ')}
        </p>
      )}
      <p class="muted">
        {item.author.userId
          ? `Author's history: ${h.visible} visible, ${h.rejected} rejected, ${h.removed} removed.`
          : 'A guest: no history.'}
      </p>
      <div class="actions">
        {error && (
          <p class="form-error" role="alert" id={`${id}-error`}>
            {error}
          </p>
        )}
        <form
          method="post"
          action={`/moderation/comments/${item.id}`}
          onSubmit={(e) => {
            const button = (e as SubmitEvent).submitter as HTMLButtonElement | null;
            if (!act || !button?.value) return;
            e.preventDefault();
            act(item, button.value, String(new FormData(e.currentTarget).get('reason') ?? ''));
          }}
        >
          <input type="hidden" name="next" value={back} />
          <input type="hidden" name="from" value={item.status} />
          <span>
            <label for={`${id}-reason`}>Reason (optional)</label>
            <input id={`${id}-reason`} name="reason" maxLength={LIMITS.moderationReason} aria-describedby={error ? `${id}-error` : undefined} />
          </span>
          {actions.map(([value, label, cls]) => (
            <button type="submit" name="action" value={value} class={cls}>
              {label}
            </button>
          ))}
        </form>
      </div>
    </li>
  );
}

/** A member's action that was refused (no JavaScript): the page again, the error at that member's form, what was typed kept. */
export interface FailedUserAction {
  userId: string;
  action: string;
  error: string;
  reason?: string;
  until?: string;
  removeComments?: boolean;
}

/** `mayBan`: whether this moderator may ban or unban the member (they outrank them); no form where they may not. */
export function UsersPage({ users, q, nextCursor, user, flash, failed, mayBan }: { users: ModUser[]; q: string; nextCursor: string | null; user: UserDTO | null; flash?: string; failed?: FailedUserAction; mayBan: (u: ModUser) => boolean }) {
  const back = `/moderation/users${q ? `?q=${encodeURIComponent(q)}` : ''}`;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Members</h1>
      <ModNav here="/moderation/users" user={user} />
      <Flash text={flash} />
      {failed && !users.some((u) => u.id === failed.userId) && (
        <p class="form-error" role="alert">
          {failed.error}
        </p>
      )}
      <form class="search" role="search" method="get" action="/moderation/users">
        <label for="users-q">Find a member</label>
        <span class="search-row">
          <input id="users-q" type="search" name="q" value={q} maxLength={LIMITS.search} />
          <button type="submit">Search</button>
        </span>
      </form>
      {users.length === 0 && <p class="muted">{q ? 'No members match that search.' : 'No members yet.'}</p>}
      <ul class="users">
        {users.map((u) => (
          <li class="user-row" data-user-id={u.id}>
            <p>
              <strong>{u.displayName}</strong> (@{u.username}) · {u.role} · {u.commentCount} visible {u.commentCount === 1 ? 'comment' : 'comments'}
              {u.banned && (
                <span class="badge rejected">
                  Banned{u.banned.until ? ` until ${banEnd(u.banned.until)}` : ''}: {u.banned.reason}
                </span>
              )}
            </p>
            {u.id !== user?.id && <UserActions u={u} back={back} admin={user?.role === 'admin'} mayBan={mayBan(u)} failed={failed?.userId === u.id ? failed : undefined} />}
          </li>
        ))}
      </ul>
      {nextCursor && (
        <p class="more">
          <a class="button" href={`/moderation/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor })}`}>
            More members
          </a>
        </p>
      )}
    </section>
  );
}

function UserActions({ u, back, admin, mayBan, failed }: { u: ModUser; back: string; admin: boolean; mayBan: boolean; failed?: FailedUserAction }) {
  const id = `u-${u.id}`;
  const banFailed = failed?.action === 'ban' ? failed : undefined;
  const invalid = banFailed ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {};
  return (
    <>
      {failed && (
        <p class="form-error" role="alert" id={`${id}-error`}>
          {failed.error}
        </p>
      )}
      {!mayBan ? null : u.banned ? (
        <form method="post" action={`/moderation/users/${u.id}`}>
          <input type="hidden" name="action" value="unban" />
          <input type="hidden" name="next" value={back} />
          <button type="submit">Unban {u.username}</button>
        </form>
      ) : (
        <form method="post" action={`/moderation/users/${u.id}`}>
          <input type="hidden" name="action" value="ban" />
          <input type="hidden" name="next" value={back} />
          <span>
            <label for={`${id}-reason`}>Reason</label>
            <input id={`${id}-reason`} name="reason" required maxLength={LIMITS.moderationReason} value={banFailed?.reason} {...invalid} />
          </span>
          <span>
            <label for={`${id}-until`}>Until (optional)</label>
            <input id={`${id}-until`} name="until" type="date" value={banFailed?.until} {...invalid} />
          </span>
          <span class="checkbox">
            <input id={`${id}-remove`} name="removeComments" type="checkbox" value="true" checked={banFailed?.removeComments} />
            <label for={`${id}-remove`}>Remove their comments</label>
          </span>
          <button type="submit" class="danger">
            Ban {u.username}
          </button>
        </form>
      )}
      {admin && (
        <form method="post" action={`/moderation/users/${u.id}`}>
          <input type="hidden" name="action" value="set-role" />
          <input type="hidden" name="next" value={back} />
          <span>
            <label for={`${id}-role`}>Role</label>
            <select id={`${id}-role`} name="role">
              {(['member', 'moderator', 'admin'] as const).map((r) => (
                <option value={r} selected={u.role === r}>
                  {r}
                </option>
              ))}
            </select>
          </span>
          <button type="submit" class="secondary">
            Set role
          </button>
        </form>
      )}
    </>
  );
}

/** The log's action codes (LogEntry.action) in words. */
const ACTIONS: Record<string, string> = {
  'comment.approve': 'Approved',
  'comment.reject': 'Rejected',
  'comment.restore': 'Restored',
  'comment.feature': "Made an editor's pick",
  'comment.unfeature': "Took off the editor's picks",
  'comment.dismiss-flags': 'Dismissed the reports',
  'comment.edit': 'Edited',
  'comment.remove': 'Removed',
  'user.ban': 'Banned',
  'user.ban+remove-comments': 'Banned, removing their comments',
  'user.unban': 'Lifted the ban',
  'settings.update': 'Changed',
};

export const actionInWords = (action: string): string => {
  const role = /^user\.set-role:(\w+)$/.exec(action)?.[1];
  return role ? `Made ${roleWithArticle(role)}` : (ACTIONS[action] ?? action);
};

export function LogPage({ entries, nextCursor, user }: { entries: LogEntry[]; nextCursor: string | null; user: UserDTO | null }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Moderation log</h1>
      <ModNav here="/moderation/log" user={user} />
      {entries.length === 0 ? (
        <p class="muted">No moderator has acted yet.</p>
      ) : (
        <table class="log">
          <caption class="sr-only">Moderator actions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">On</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr data-log-id={e.id}>
                <td>
                  <time dateTime={e.at}>{fullDate(e.at)}</time>
                </td>
                <td>{e.moderator.username}</td>
                <td data-action={e.action}>{actionInWords(e.action)}</td>
                <td data-target={`${e.target.kind} ${e.target.id}`}>{e.target.url ? <a href={e.target.url}>{e.target.label}</a> : e.target.label}</td>
                <td>{e.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <p class="more">
          <a class="button" href={`/moderation/log?cursor=${encodeURIComponent(nextCursor)}`}>
            Older entries
          </a>
        </p>
      )}
    </section>
  );
}

function Fieldset({ legend, children }: { legend: string; children: ComponentChildren }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

export function SettingsPage({ settings, user, flash, error }: { settings: ModerationSettings; user: UserDTO | null; flash?: string; error?: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Moderation settings</h1>
      <ModNav here="/admin/settings" user={user} />
      <Flash text={flash} />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/admin/settings" class="settings-form">
        <Fieldset legend="New comments">
          <p class="field">
            <label for="s-premoderation">Premoderation</label>
            <select id="s-premoderation" name="premoderation">
              {(
                [
                  ['off', 'Off: comments appear at once'],
                  ['new', 'New: hold guests and members with fewer than 3 approved comments'],
                  ['all', 'All: hold every comment'],
                ] as const
              ).map(([v, label]) => (
                <option value={v} selected={settings.premoderation === v}>
                  {label}
                </option>
              ))}
            </select>
          </p>
          <p class="field checkbox">
            <input id="s-guestPosting" name="guestPosting" type="checkbox" value="true" checked={settings.guestPosting} />
            <label for="s-guestPosting">Guests may post (as "Name from Location")</label>
          </p>
        </Fieldset>
        <Fieldset legend="Words and links">
          <p class="field">
            <label for="s-banned">Banned words (one per line): a comment with one is refused</label>
            <textarea id="s-banned" name="bannedWords" rows={4}>
              {settings.bannedWords.join('\n')}
            </textarea>
          </p>
          <p class="field">
            <label for="s-suspect">Suspect words (one per line): a comment with one is held</label>
            <textarea id="s-suspect" name="suspectWords" rows={4}>
              {settings.suspectWords.join('\n')}
            </textarea>
          </p>
          <p class="field">
            <label for="s-maxLinks">Most links before a comment is held</label>
            <input id="s-maxLinks" name="maxLinks" type="number" min={0} max={100} value={settings.maxLinks} required />
          </p>
          <p class="field">
            <label for="s-flagThreshold">Members' flags that hold a comment</label>
            <input id="s-flagThreshold" name="flagThreshold" type="number" min={1} max={1000} value={settings.flagThreshold} required />
          </p>
        </Fieldset>
        <p class="form-actions">
          <button type="submit">Save settings</button>
        </p>
      </form>
    </section>
  );
}
