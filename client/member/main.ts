// A signed-in member's pages other than the song page and the moderation queue (which keep their own sockets): the
// header's bell kept live, a notice for each notification as it comes, a count in a hidden tab's title, and what the
// page does when its session ends elsewhere or an admin changes the member's role. No thread is joined: the socket
// is in the member's own rooms only (server/realtime/io.ts), so it carries only what is theirs.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import type { NotificationDTO } from '../../shared/types';
import { roleWithArticle } from '../../shared/words';
import { isGuest, nameAsText } from '../components/GuestLabel';
import { setUnread, showAccount, whoIsSignedInNow } from '../header';
import { titleCounter } from '../thread/NewCommentsNotice';

const memberId = document.querySelector<HTMLElement>('.site-nav [data-member]')?.dataset.member;
const main = document.getElementById('main');
if (memberId && main) follow(memberId, main);

function follow(memberId: string, main: HTMLElement) {
  // The notices' place exists before anything is said in it, so screen readers announce what is put there.
  const notices = document.createElement('div');
  notices.className = 'member-notices';
  notices.setAttribute('role', 'status');
  notices.dataset.role = 'member-notices';
  main.prepend(notices);
  const here = location.pathname + location.search;

  /** One notice at a time (the newest says what matters now): its words, and a link where it leads. */
  const say = (text: string, link?: { href: string; label: string; after?: string }) => {
    const p = document.createElement('p');
    p.className = 'banner';
    p.append(text);
    if (link) {
      const a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.label;
      p.append(' ', a, link.after ?? '');
    }
    notices.replaceChildren(p);
  };

  const title = titleCounter();
  const notified = (n: NotificationDTO, unread: number) => {
    setUnread(unread);
    title.count(1);
    const who = nameAsText(n.comment.author.name, isGuest(n.comment.author));
    say(`${who} ${n.kind === 'reply' ? 'replied to you' : 'mentioned you'} on ${n.song.title}.`, { href: `/notifications/${n.id}`, label: 'Read it' });
  };

  let ended = false;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket', 'polling'], tryAllTransports: true });
  socket.on('connect', () => document.documentElement.setAttribute('data-member-live', 'on'));
  socket.on('disconnect', (reason) => {
    document.documentElement.setAttribute('data-member-live', 'off');
    // socket.io does not retry after the server hung up (a restart, a deploy, a role change): we do, after a pause.
    if (reason === 'io server disconnect' && !ended) setTimeout(() => socket.connect(), 1000 + Math.random() * 2000);
  });
  socket.on('notification', (p) => notified(p.notification, p.unread));
  socket.on('notifications:unread', (p) => setUnread(p.unread));
  socket.on('account:role-changed', (p) => {
    say(`An admin made you ${roleWithArticle(p.role)}.`, { href: here, label: 'Reload the page', after: ' to get the tools that go with it.' });
  });
  socket.on('session:ended', async () => {
    // The same member (logged in again in another tab): nothing changed for this page.
    const now = await whoIsSignedInNow();
    if (now?.id === memberId) return;
    ended = true;
    socket.close();
    showAccount(now, here);
    if (now) say(`You are now signed in as ${now.displayName}, from another tab.`, { href: here, label: 'Reload the page', after: ' to go on as them.' });
    else say('You were logged out (in another tab or on another device, or by a password change).', { href: `/login?next=${encodeURIComponent(here)}`, label: 'Log in again' });
  });
}
