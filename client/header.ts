// The page header's notification bell, kept current by the song page's socket (the header is server-rendered
// outside the thread island, so its count is set directly, as text), and its account part when the session changes.
import { h, render } from 'preact';
import type { UserDTO } from '../shared/types';
import { SignInState } from './components/Document';

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
