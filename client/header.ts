// The page header's notification bell, kept current by the song page's socket (the header is server-rendered
// outside the thread island, so its count is set directly, as text).
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

/** The session ended (logged out elsewhere, or a password change): the header offers to log in again, as for a reader. */
export function showSignedOut(here: string): void {
  const account = document.querySelector<HTMLElement>('.site-nav .account');
  if (!account) return;
  const next = `?next=${encodeURIComponent(here)}`;
  const signedOut = document.createElement('p');
  signedOut.className = 'account';
  for (const [i, [label, path]] of [['Log in', '/login'], ['Register', '/register']].entries()) {
    if (i) signedOut.append(' ');
    const a = document.createElement('a');
    a.href = `${path}${next}`;
    a.textContent = label;
    signedOut.append(a);
  }
  account.replaceWith(signedOut);
}
