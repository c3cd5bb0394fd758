// One comment with its replies. The controls appear once the script runs (ready); without it the comment reads the same.
import { LIMITS } from '../../shared/limits';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UserDTO, VoteValue } from '../../shared/types';
import { GuestLabel, isGuest, nameAsText } from '../components/GuestLabel';
import { renderText } from '../text';
import { fullDate, shownTime } from '../time';
import { CommentForm, type Draft } from './CommentForm';
import { ModMenu } from './ModMenu';
import { ReplyContext } from './ReplyContext';
import type { ViewComment } from './state';
import { DEPTH_CAP, type CommentNode } from './tree';

export interface CommentActions {
  reply(parentId: string, draft: Draft): Promise<string | null>;
  /** Loads the replies of a comment that are not on the page (its "N replies"). */
  expand(id: string): Promise<string | null>;
  edit(id: string, body: string): Promise<string | null>;
  remove(id: string): Promise<string | null>;
  vote(id: string, value: VoteValue): Promise<string | null>;
  flag(id: string, reason: string): Promise<string | null>;
  typing(name?: string): void;
}

export interface CommentContext {
  slug: string;
  user: UserDTO | null;
  guestPosting: boolean;
  editWindowMs: number;
  /** null until the script runs (server-rendered pages show dates: client/time.ts shownTime). */
  now: number | null;
  ready: boolean;
  myVotes: Record<string, VoteValue>;
  /** Comments the member reported (remembered across reloads). */
  flagged: ReadonlySet<string>;
  /** The member is banned: they read, and may delete their own comments, but are offered nothing the server refuses. */
  banned?: boolean;
  /** Comments whose replies were all loaded by "N replies". */
  expanded: ReadonlySet<string>;
  /** This browser's guest secret for a comment it posted, while the edit window is open. */
  guestToken(id: string): string | null;
  /** Replies being written, by the comment they answer: a reply form closed (Escape, Cancel) opens again with its draft. */
  replyDrafts?: Map<string, Draft>;
  actions: CommentActions;
}

type Mode = 'read' | 'reply' | 'edit' | 'flag' | 'confirm-remove';

export const isStaff = (u: UserDTO | null) => !!u && (u.role === 'moderator' || u.role === 'admin');
const owns = (u: UserDTO | null, c: ViewComment) => !!u && c.author.userId === u.id;

export function CommentItem({ node, ctx }: { node: CommentNode; ctx: CommentContext }) {
  const c = node.comment;
  // A reply whose place does not show whom it answers says so (tree.ts: in full, or the name alone).
  const hidden = (c.replyCount ?? 0) - node.replies.length;
  return (
    <li class={`comment-item depth-${node.depth}`}>
      {node.context && c.parentId && <ReplyContext slug={ctx.slug} context={c.inReplyTo} parentId={c.parentId} brief={node.context === 'brief'} />}
      <CommentView c={c} ctx={ctx} />
      {ctx.ready && hidden > 0 && !ctx.expanded.has(c.id) && c.status !== 'removed' && !c.pending && <Expander c={c} hidden={hidden} shown={node.replies.length} ctx={ctx} />}
      {node.replies.length > 0 && (
        <ol class={node.depth + 1 >= DEPTH_CAP ? 'replies capped' : 'replies'} aria-label={`Replies to ${nameAsText(c.author.name, isGuest(c.author))}`}>
          {node.replies.map((r) => (
            <CommentItem key={r.comment.id} node={r} ctx={ctx} />
          ))}
        </ol>
      )}
    </li>
  );
}

/** "Show 3 replies": loads the replies that are elsewhere in the thread and nests them here. */
function Expander({ c, hidden, shown, ctx }: { c: ViewComment; hidden: number; shown: number; ctx: CommentContext }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const label = `Show ${hidden} ${shown ? 'more ' : ''}${hidden === 1 ? 'reply' : 'replies'}`;
  return (
    <p class="expand-replies">
      <button
        type="button"
        class="link"
        aria-label={`${label} to ${nameAsText(c.author.name, isGuest(c.author))}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError((await ctx.actions.expand(c.id)) ?? '');
          setBusy(false);
        }}
      >
        {label}
      </button>
      {error && (
        <span class="form-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </p>
  );
}

function CommentView({ c, ctx }: { c: ViewComment; ctx: CommentContext }) {
  const [mode, setMode] = useState<Mode>('read');
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const removedNow = c.status === 'removed';
  // Held or rejected: only its author and moderators see it, and nobody can reply, vote or report.
  const hidden = c.status === 'pending' || c.status === 'rejected';
  const mineAsGuest = !ctx.user && !c.author.userId && !!ctx.guestToken(c.id);
  const inWindow = ctx.now !== null && ctx.now - Date.parse(c.createdAt) <= ctx.editWindowMs;
  const canEdit = !ctx.banned && !removedNow && !c.pending && (isStaff(ctx.user) || (c.status !== 'rejected' && (owns(ctx.user, c) || mineAsGuest) && inWindow));
  const canRemove = !removedNow && c.status !== 'rejected' && !c.pending && (isStaff(ctx.user) || owns(ctx.user, c) || (mineAsGuest && inWindow));
  const reported = ctx.flagged.has(c.id);
  const link = `/songs/${encodeURIComponent(ctx.slug)}/c/${c.id}`;
  // A member who may vote, reply and report here (a banned one reads only).
  const member = !!ctx.user && !ctx.banned && !removedNow && !hidden && !c.pending;
  const idPrefix = `c-${c.id}`;
  const article = useRef<HTMLElement>(null);
  const focusNext = useRef<{ mode: Mode; act: string } | null>(null);

  // When the controls change under the reader, focus goes to the control now in their place (or the
  // comment itself when there is none), never back to the start of the page. Only once the new mode is
  // on screen: an earlier render's effect may run late, just before the next render.
  useEffect(() => {
    const want = focusNext.current;
    if (!want || want.mode !== mode) return;
    focusNext.current = null;
    (article.current?.querySelector<HTMLElement>(`[data-act="${want.act}"]`) ?? article.current)?.focus();
  });
  const to = (m: Mode, act: string) => {
    focusNext.current = { mode: m, act };
    setMode(m);
  };

  const run = async (p: Promise<string | null>, focus: string) => {
    const failure = await p;
    setError(failure ?? '');
    if (!failure) to('read', focus);
    return failure;
  };

  return (
    <article class={`comment${c.pending ? ' pending' : ''}${removedNow ? ' removed' : ''}${hidden ? ' held' : ''}`} data-comment-id={c.pending ? undefined : c.id} id={c.pending ? undefined : `c-${c.id}`} tabIndex={-1} ref={article} aria-busy={c.pending ? 'true' : undefined} aria-label={`Comment by ${nameAsText(c.author.name, isGuest(c.author))}`}>
      <header class="comment-meta">
        {c.author.userId ? (
          <a class="author" data-role="comment-author" href={`/members/${c.author.userId}`}>
            {c.author.name}
          </a>
        ) : (
          <span class="author" data-role="comment-author">
            {c.author.name}
          </span>
        )}
        <GuestLabel author={c.author} />
        {c.author.location && <span class="location"> from {c.author.location}</span>}
        {c.featured && <span class="badge">Editor's pick</span>}
        {c.status === 'pending' && <span class="badge held">Held for review</span>}
        {c.status === 'rejected' && <span class="badge rejected">Rejected by a moderator</span>}
        <span class="sep" aria-hidden="true">
          {' · '}
        </span>
        {c.pending || hidden ? (
          <time dateTime={c.createdAt} title={fullDate(c.createdAt)}>
            {c.pending ? 'sending…' : shownTime(c.createdAt, ctx.now)}
          </time>
        ) : (
          <a class="permalink" href={`${link}#c-${c.id}`}>
            <time dateTime={c.createdAt} title={fullDate(c.createdAt)}>
              {shownTime(c.createdAt, ctx.now)}
            </time>
          </a>
        )}
        {c.editedAt && !removedNow && <span class="edited">{c.editedBy === 'moderator' ? ' (edited by a moderator)' : ' (edited)'}</span>}
      </header>
      {mode === 'edit' ? (
        <EditForm c={c} label={owns(ctx.user, c) || mineAsGuest ? 'Edit your comment' : `Edit the comment by ${nameAsText(c.author.name, isGuest(c.author))}`} onSave={(body) => run(ctx.actions.edit(c.id, body), 'edit')} onCancel={() => to('read', 'edit')} />
      ) : (
        <div class="comment-body" data-role="comment-body">
          {removedNow ? <p class="muted">{c.removedBy === 'moderator' ? 'This comment was removed by a moderator.' : 'This comment was removed.'}</p> : renderText(c.body)}
        </div>
      )}
      <footer class="comment-actions">
        <span class="score">
          <span class="sr-only">Score </span>
          {c.score > 0 ? `+${c.score}` : c.score}
        </span>
        {!ctx.ready && !removedNow && !hidden && !c.pending && <PlainControls link={link} mine={ctx.myVotes[c.id] ?? 0} />}
        {ctx.ready && member && !owns(ctx.user, c) && <Votes c={c} ctx={ctx} setError={setError} />}
        {ctx.ready && !ctx.user && !removedNow && !hidden && !c.pending && (
          <a class="sign-in-to-vote" href={`/login?next=${encodeURIComponent(`${link}#c-${c.id}`)}`}>
            Sign in to vote
          </a>
        )}
        {ctx.ready && !ctx.banned && !removedNow && !hidden && !c.pending && (ctx.user || ctx.guestPosting) && mode === 'read' && (
          <button type="button" class="link" data-act="reply" onClick={() => setMode('reply')}>
            Reply<span class="sr-only"> to {nameAsText(c.author.name, isGuest(c.author))}</span>
          </button>
        )}
        {ctx.ready && canEdit && mode === 'read' && (
          <button type="button" class="link" data-act="edit" onClick={() => setMode('edit')}>
            Edit
          </button>
        )}
        {ctx.ready && canRemove && mode === 'read' && (
          <button type="button" class="link" data-act="delete" onClick={() => to('confirm-remove', 'keep')}>
            Delete
          </button>
        )}
        {ctx.ready && canRemove && mode === 'confirm-remove' && (
          <span class="confirm">
            Delete this comment?{' '}
            <button type="button" class="danger" onClick={() => run(ctx.actions.remove(c.id), 'delete')}>
              Yes, delete
            </button>{' '}
            <button type="button" class="secondary" data-act="keep" onClick={() => to('read', 'delete')}>
              Keep it
            </button>
          </span>
        )}
        {ctx.ready && member && reported && !note && <span class="note">Reported</span>}
        {ctx.ready && member && !owns(ctx.user, c) && mode === 'read' && !note && !reported && (
          <button type="button" class="link" data-act="report" onClick={() => setMode('flag')}>
            Report
          </button>
        )}
        {note && (
          <span class="note" role="status">
            {note}
          </span>
        )}
      </footer>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {/* A moderator's removal can be undone here too; an author's own deletion is theirs. */}
      {isStaff(ctx.user) && !c.pending && (!removedNow || c.removedBy === 'moderator') && c.status !== 'rejected' && <ModMenu c={c} slug={ctx.slug} user={ctx.user!} />}
      {mode === 'flag' && (
        <FlagForm
          idPrefix={idPrefix}
          onSend={async (reason) => {
            const failure = await ctx.actions.flag(c.id, reason);
            setError(failure ?? '');
            if (failure) return failure;
            // In the same render: the note takes the Report button's place, so focus goes to the comment.
            setNote('Reported. Thank you.');
            to('read', 'report');
            return null;
          }}
          onCancel={() => to('read', 'report')}
        />
      )}
      {mode === 'reply' && (
        <CommentForm
          slug={ctx.slug}
          role="reply-form"
          idPrefix={`${idPrefix}-reply`}
          guest={!ctx.user && ctx.guestPosting}
          ready={ctx.ready}
          parentId={c.id}
          label={`Reply to ${nameAsText(c.author.name, isGuest(c.author))}`}
          autoFocus
          action={`${link}/reply`}
          initial={ctx.replyDrafts?.get(c.id)}
          onDraft={(d) => ctx.replyDrafts?.set(c.id, d)}
          onTyping={ctx.actions.typing}
          onPost={async (d) => {
            const failure = await ctx.actions.reply(c.id, d);
            if (!failure) {
              ctx.replyDrafts?.delete(c.id);
              to('read', 'reply');
            }
            return failure;
          }}
          onCancel={() => to('read', 'reply')}
        />
      )}
    </article>
  );
}

/**
 * Without script: vote as one-button forms, reply and report on pages of their own. The same for every reader (the
 * thread's HTML is shared): a reader who is not signed in is sent to log in and brought back. A vote button is
 * pressed as the script's is: pressed again, it takes the vote back. `mine`: the member's vote, when the page was made
 * for them alone (otherwise none is shown pressed).
 */
function PlainControls({ link, mine }: { link: string; mine: VoteValue }) {
  return (
    <span class="plain-controls">
      <form method="post" action={`${link}/vote`} class="vote-form">
        <input type="hidden" name="value" value="1" />
        <button type="submit" class="vote" aria-pressed={mine === 1 ? 'true' : 'false'} aria-label="Vote up">
          ▲
        </button>
      </form>
      <form method="post" action={`${link}/vote`} class="vote-form">
        <input type="hidden" name="value" value="-1" />
        <button type="submit" class="vote" aria-pressed={mine === -1 ? 'true' : 'false'} aria-label="Vote down">
          ▼
        </button>
      </form>
      <a href={`${link}/reply`}>Reply</a> <a href={`${link}/report`}>Report</a>
    </span>
  );
}

function Votes({ c, ctx, setError }: { c: ViewComment; ctx: CommentContext; setError(s: string): void }) {
  const mine = ctx.myVotes[c.id] ?? 0;
  const cast = async (value: 1 | -1) => setError((await ctx.actions.vote(c.id, mine === value ? 0 : value)) ?? '');
  return (
    <span class="votes">
      <button type="button" class="vote" aria-pressed={mine === 1 ? 'true' : 'false'} aria-label="Vote up" onClick={() => cast(1)}>
        ▲
      </button>
      <button type="button" class="vote" aria-pressed={mine === -1 ? 'true' : 'false'} aria-label="Vote down" onClick={() => cast(-1)}>
        ▼
      </button>
    </span>
  );
}

function EditForm({ c, label, onSave, onCancel }: { c: ViewComment; label: string; onSave(body: string): Promise<string | null>; onCancel(): void }) {
  const [body, setBody] = useState(c.body);
  const id = `c-${c.id}-edit`;
  return (
    <form
      class="edit-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(body);
      }}
      onKeyDown={escapeTo(onCancel)}
    >
      <label for={id}>{label}</label>
      <textarea id={id} rows={4} required maxLength={LIMITS.commentBody} value={body} onInput={(e) => setBody(e.currentTarget.value)} ref={useFocusOnMount<HTMLTextAreaElement>()} />
      <p class="form-actions">
        <button type="submit">Save</button>{' '}
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

function FlagForm({ idPrefix, onSend, onCancel }: { idPrefix: string; onSend(reason: string): Promise<string | null>; onCancel(): void }) {
  const [reason, setReason] = useState('');
  const id = `${idPrefix}-flag`;
  return (
    <form
      class="flag-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSend(reason);
      }}
      onKeyDown={escapeTo(onCancel)}
    >
      <label for={id}>Why should a moderator look at this?</label>
      <input id={id} required maxLength={LIMITS.flagReason} value={reason} onInput={(e) => setReason(e.currentTarget.value)} ref={useFocusOnMount<HTMLInputElement>()} />
      <p class="form-actions">
        <button type="submit">Send report</button>{' '}
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

/** Escape closes a form the reader opened, as its Cancel button would. */
const escapeTo = (cancel: () => void) => (e: KeyboardEvent) => {
  if (e.key !== 'Escape') return;
  e.preventDefault();
  cancel();
};

/** Focus moves into a form the reader just opened, once, never on later renders. */
function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
