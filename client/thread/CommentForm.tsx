// The comment form: a plain POST form without JavaScript; with it, an optimistic post that keeps the draft on failure.
import { LIMITS } from '../../shared/limits';
import { useEffect, useRef, useState } from 'preact/hooks';
import { rememberedGuest } from './guest';

export interface Draft {
  body: string;
  name?: string;
  location?: string;
}

interface Props {
  slug: string;
  /** The new-comment form carries the page hook; reply forms do not. */
  role: 'comment-form' | 'reply-form';
  idPrefix: string;
  guest: boolean;
  ready: boolean;
  clientId?: string;
  /** Guests' page form: the signed render time (with the honeypot, the bot check of the no-JavaScript post). */
  formToken?: string;
  parentId?: string;
  initial?: Draft;
  initialError?: string;
  label?: string;
  autoFocus?: boolean;
  /** Where the plain form posts (no script); the new-comment form's default, anchored so the answer opens at it. */
  action?: string;
  /** Resolves with the API's error message, or null when posted. */
  onPost?(draft: Draft): Promise<string | null>;
  onTyping?(name?: string): void;
  onCancel?(): void;
  /** Each change of what is typed (a reply form keeps its draft with the thread when it closes). */
  onDraft?(draft: Draft): void;
}

export function CommentForm(p: Props) {
  const [draft, setDraft] = useState<Draft>(p.initial ?? { body: '' });
  const [error, setError] = useState(p.initialError ?? '');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const nameBox = useRef<HTMLInputElement>(null);
  const errorId = `${p.idPrefix}-error`;

  useEffect(() => {
    // Keep whatever was typed before the script arrived; a guest's name and place come back from this browser.
    const typed = area.current && area.current.value !== draft.body ? area.current.value : null;
    const remembered = p.guest && p.ready ? rememberedGuest() : null;
    if (typed !== null || remembered) setDraft((d) => ({ ...d, ...(typed !== null ? { body: typed } : {}), name: d.name || remembered?.name, location: d.location || remembered?.location }));
    // A guest who has not given a name yet starts there: it comes first, and the post needs it.
    const named = !p.guest || !!(draft.name || remembered?.name);
    if (p.autoFocus) (named ? area : nameBox).current?.focus();
  }, [p.ready]);

  const submit = async (e: Event) => {
    if (!p.onPost || !p.ready) return; // no script yet: the browser posts the form
    e.preventDefault();
    if (busy) return;
    if (!draft.body.trim()) return setError('Write something first.');
    setBusy(true);
    setError('');
    const sent = draft;
    setDraft({ ...draft, body: '' });
    const failure = await p.onPost(sent);
    setBusy(false);
    if (failure) {
      // Keep the draft: put back what was sent unless the reader already started something new.
      setDraft((d) => (d.body ? d : sent));
      setError(failure);
    } else area.current?.focus();
  };

  const field = (name: keyof Draft) => ({
    value: draft[name] ?? '',
    onInput: (e: Event) => {
      const next = { ...draft, [name]: (e.currentTarget as HTMLInputElement).value };
      setDraft(next);
      p.onDraft?.(next);
      if (name === 'body') p.onTyping?.(p.guest ? draft.name?.trim() || undefined : undefined);
    },
  });

  return (
    <form
      data-role={p.role}
      class="comment-form"
      method="post"
      action={p.action ?? `/songs/${p.slug}/comments#post`}
      onSubmit={submit}
      aria-describedby={error ? errorId : undefined}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && p.onCancel) {
          e.preventDefault();
          p.onCancel();
        }
      }}
    >
      {p.guest && (
        <div class="guest-fields">
          <p class="field">
            <label for={`${p.idPrefix}-name`}>Your name</label>
            <input ref={nameBox} id={`${p.idPrefix}-name`} name="name" required maxLength={LIMITS.guestName} autoComplete="nickname" {...field('name')} />
          </p>
          <p class="field">
            <label for={`${p.idPrefix}-location`}>Where you are from (optional)</label>
            <input id={`${p.idPrefix}-location`} name="location" maxLength={LIMITS.location} {...field('location')} />
          </p>
        </div>
      )}
      <p class="field">
        <label for={`${p.idPrefix}-body`}>{p.label ?? 'Your comment'}</label>
        <textarea
          ref={area}
          id={`${p.idPrefix}-body`}
          name="body"
          rows={4}
          required
          maxLength={LIMITS.commentBody}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? errorId : undefined}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.currentTarget.form as HTMLFormElement).requestSubmit();
          }}
          {...field('body')}
        />
      </p>
      {error && (
        <p class="form-error" id={errorId} role="alert">
          {error}
        </p>
      )}
      {p.clientId && <input type="hidden" name="clientId" value={p.clientId} />}
      {p.guest && p.formToken && (
        <>
          <input type="hidden" name="formToken" value={p.formToken} />
          {/* A person never sees this field (the stylesheet hides it); a bot filling every field gives itself away. */}
          <p class="trap">
            <label for={`${p.idPrefix}-website`}>Leave this field empty</label>
            <input id={`${p.idPrefix}-website`} name="website" tabIndex={-1} autoComplete="off" />
          </p>
        </>
      )}
      {p.parentId && <input type="hidden" name="parentId" value={p.parentId} />}
      <p class="form-actions">
        <button type="submit" disabled={busy}>
          {p.parentId ? 'Post reply' : 'Post comment'}
        </button>
        {p.onCancel && (
          <button type="button" class="secondary" onClick={p.onCancel}>
            Cancel
          </button>
        )}
      </p>
    </form>
  );
}
