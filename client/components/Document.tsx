// The page shell every page shares: head (title, description, canonical, assets), landmarks, sign-in state.
import type { ComponentChildren } from 'preact';
import type { UserDTO } from '../../shared/types';

export interface Assets {
  css: string | null;
  js: string | null;
  /** The moderation queue's live script. */
  moderationJs?: string | null;
  /** A member's other pages: their bell kept live (client/member/main.ts). */
  memberJs?: string | null;
  icon: string | null;
}

export interface Shell {
  title: string;
  description?: string;
  canonical?: string;
  user: UserDTO | null;
  assets: Assets;
  /** The song page ships its thread script; the moderation queue its own; a member's other pages the member script. */
  script?: boolean | 'moderation';
  /** Where "log in" should bring the reader back to. */
  here?: string;
  /** The member's unread notifications (the bell's count). */
  unread?: number;
  /**
   * Render the sign-in state as the slot "account", to be filled per request: the server keeps a member's page as
   * parts around its slots (server/web/songPages.tsx).
   */
  accountSlot?: boolean;
}

/**
 * Where a per-request piece goes in a page kept as parts: the server splits the rendered page at these marks and fills
 * them per request (server/web/songPages.tsx). No user text can make one: text is escaped, so it never holds a `<`.
 */
export function Slot({ name }: { name: string }) {
  return <template data-slot={name} />;
}
export const slotMark = (name: string) => `<template data-slot="${name}"></template>`;

export function Document({ shell, children }: { shell: Shell; children: ComponentChildren }) {
  const { assets } = shell;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{shell.title === 'Chorus' ? 'Chorus' : `${shell.title} · Chorus`}</title>
        {shell.description && <meta name="description" content={shell.description} />}
        {shell.canonical && <link rel="canonical" href={shell.canonical} />}
        {assets.icon && <link rel="icon" href={assets.icon} type="image/svg+xml" />}
        {assets.css && <link rel="stylesheet" href={assets.css} />}
        {shell.script === true && assets.js && <script type="module" src={assets.js} />}
        {shell.script === 'moderation' && assets.moderationJs && <script type="module" src={assets.moderationJs} />}
        {!shell.script && shell.user && assets.memberJs && <script type="module" src={assets.memberJs} />}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <nav class="site-nav" aria-label="Site">
            <a class="brand" href="/">
              Chorus
            </a>
            {shell.accountSlot ? <Slot name="account" /> : <SignInState user={shell.user} here={shell.here} unread={shell.unread ?? 0} />}
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <p>Chorus: talk about the songs you love.</p>
        </footer>
      </body>
    </html>
  );
}

export function SignInState({ user, here, unread }: { user: UserDTO | null; here?: string; unread: number }) {
  if (!user) {
    const next = here && here !== '/' ? `?next=${encodeURIComponent(here)}` : '';
    return (
      <p class="account">
        <a href={`/login${next}`}>Log in</a> <a href={`/register${next}`}>Register</a>
      </p>
    );
  }
  const staff = user.role === 'moderator' || user.role === 'admin';
  return (
    <form class="account" method="post" action="/logout" data-member={user.id}>
      <Bell unread={unread} />{' '}
      {staff && (
        <>
          <a href="/moderation">Moderation</a>{' '}
        </>
      )}
      <span class="signed-in">
        Signed in as <strong>{user.displayName}</strong>
      </span>{' '}
      <a href={`/users/${encodeURIComponent(user.username)}`}>Profile</a> <a href="/settings">Settings</a>{' '}
      <button type="submit" class="link">
        Log out
      </button>
    </form>
  );
}

/** The member's notifications link with their unread count; the page's script keeps the count live. */
export function Bell({ unread }: { unread: number }) {
  return (
    <a class={`bell${unread ? ' has-unread' : ''}`} href="/notifications" data-role="notifications-bell">
      Notifications
      <span class="bell-count" data-role="unread-count" hidden={!unread}>
        {' '}
        <span aria-hidden="true">{unread}</span>
        <span class="sr-only">({unread} unread)</span>
      </span>
    </a>
  );
}
