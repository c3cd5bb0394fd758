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
