// /login and /register: plain forms that work without JavaScript, each error next to its field.
import { LIMITS } from '../../shared/limits';
import type { ComponentChildren } from 'preact';

export type FieldErrors = Partial<Record<string, string>>;

interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string;
  hint?: string;
  autoComplete?: string;
  required?: boolean;
  maxLength?: number;
}

export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const described = [p.hint && `${id}-hint`, p.error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <p class={`field${p.error ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      {/* A field in error takes the focus when the page comes back (the browser honours the first one): no hunting for it. */}
      <input id={id} name={p.name} type={p.type ?? 'text'} value={p.type === 'password' ? undefined : p.value} required={p.required} maxLength={p.maxLength} autoComplete={p.autoComplete} aria-invalid={p.error ? 'true' : undefined} aria-describedby={described} autoFocus={!!p.error} />
      {p.hint && (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      )}
      {p.error && (
        <span class="field-error" id={`${id}-error`}>
          {p.error}
        </span>
      )}
    </p>
  );
}

function FormPage({ title, error, children }: { title: string; error?: string; children: ComponentChildren }) {
  return (
    <section class="account-page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {children}
    </section>
  );
}

export function LoginPage({ username = '', next = '', error, errors = {} }: { username?: string; next?: string; error?: string; errors?: FieldErrors }) {
  return (
    <FormPage title="Log in" error={error}>
      <form method="post" action="/login" class="account-form">
        <Field name="username" label="Username" value={username} autoComplete="username" required maxLength={100} error={errors.username} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" required error={errors.password} />
        {next && <input type="hidden" name="next" value={next} />}
        <p class="form-actions">
          <button type="submit">Log in</button>
        </p>
      </form>
      <p>
        New here? <a href={next ? `/register?next=${encodeURIComponent(next)}` : '/register'}>Create an account</a>.
      </p>
    </FormPage>
  );
}

export interface RegisterValues {
  username?: string;
  displayName?: string;
  location?: string;
}

export function RegisterPage({ values = {}, error, errors = {}, next = '' }: { values?: RegisterValues; error?: string; errors?: FieldErrors; next?: string }) {
  return (
    <FormPage title="Create an account" error={error}>
      <form method="post" action="/register" class="account-form">
        <Field name="username" label="Username" value={values.username} autoComplete="username" required maxLength={LIMITS.username.max} hint={`${LIMITS.username.min} to ${LIMITS.username.max} letters, digits, _ or -.`} error={errors.username} />
        <Field name="password" label="Password" type="password" autoComplete="new-password" required hint={`At least ${LIMITS.password.min} characters, not a common password or your name: three or four unrelated words work well.`} error={errors.password} />
        <Field name="displayName" label="Display name (optional)" value={values.displayName} maxLength={LIMITS.displayName} error={errors.displayName} />
        <Field name="location" label="Where you are from (optional)" value={values.location} maxLength={LIMITS.location} error={errors.location} />
        {next && <input type="hidden" name="next" value={next} />}
        <p class="form-actions">
          <button type="submit">Create account</button>
        </p>
      </form>
      <p>
        Already a member? <a href={next ? `/login?next=${encodeURIComponent(next)}` : '/login'}>Log in</a>.
      </p>
    </FormPage>
  );
}
