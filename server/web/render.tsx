// Renders a page component inside the shared shell to a complete HTML document.
import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { UserDTO } from '../../shared/types';
import { Document, type Shell } from '../../client/components/Document';
import type { AssetStore } from './assets';

export type PageShell = Omit<Shell, 'user' | 'assets' | 'unread'>;

export const currentUser = (req: Request): UserDTO | null => (req.user as UserDTO | undefined) ?? null;

export function sendPage(req: Request, res: Response, store: AssetStore, status: number, shell: PageShell, body: VNode<any>): void {
  const html = renderToString(
    <Document shell={{ ...shell, user: currentUser(req), unread: Number(res.locals.unread ?? 0), assets: store.assets(), here: shell.here ?? req.originalUrl }}>{body}</Document>,
  );
  // Pages carry the reader's sign-in state: never cached by shared caches.
  res.status(status).set({ 'Cache-Control': 'private, no-cache' }).type('html').send(`<!doctype html>${html}`);
}
