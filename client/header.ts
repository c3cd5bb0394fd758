// The page header's notification bell, kept current by the song page's socket (the header is server-rendered
// outside the thread island, so its count is set directly, as text), and its account part when the session changes.
import { h, render } from 'preact';
import type { UserDTO } from '../shared/types';
import { SignInState } from './components/Document';
import { api } from './thread/api';

/** After a session ended elsewhere and no one is signed in: how long before asking again (see whoIsSignedInNow). */
const SESSION_RECHECK_MS = 1500;

/**
 * Who the browser is signed in as now, after this page's session ended elsewhere (null: no one). Logging in again in
 * another tab also ends this page's session (the login renews its id), and that tab's new cookie may land a moment
 * after the news: no one signed in is asked once more, after a pause.
 */
export async function whoIsSignedInNow(): Promise<UserDTO | null> {
  const ask = () => api.me().catch(() => null);
  return (await ask()) ?? (await new Promise((r) => setTimeout(r, SESSION_RECHECK_MS)).then(ask));
}

export function setUnread(count: number): void {
  const box = document.querySelector<HTMLElement>('[data-role="unread-count"]');
  const bell = document.querySelector<HTMLElement>('[data-role="notifications-bell"]');
  if (!box || !bell) return;
  box.hidden = count === 0;
  bell.classList.toggle('has-unread', count > 0);
  const [shown, spoken] = box.querySelectorAll('span');
  if (shown) shown.textContent = String(count);
  if (spoken) spoken.textContent = `(${count} unread)`;
}

/**
 * The session ended elsewhere: the header shows who the browser is now (`user`: null when no one is signed in), as the
 * server renders it for them (their unread count comes with their next page).
 */
export function showAccount(user: UserDTO | null, here: string): void {
  const account = document.querySelector<HTMLElement>('.site-nav .account');
  if (!account) return;
  const made = document.createElement('div');
  render(h(SignInState, { user, here, unread: 0 }), made);
  if (made.firstElementChild) account.replaceWith(made.firstElementChild);
}
