// Renders a page component inside the shared shell to a complete HTML document.
import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { UserDTO } from '../../shared/types';
import { Document, type Shell } from '../../client/components/Document';
import { inWords } from '../../shared/words';
import { toErrorBody } from '../http/errors';
import type { AssetStore } from './assets';

export type PageShell = Omit<Shell, 'user' | 'assets' | 'unread'> & {
  /** The error page itself (not a form sent back): its title is already about what went wrong. */
  errorPage?: boolean;
};

export const currentUser = (req: Request): UserDTO | null => (req.user as UserDTO | undefined) ?? null;

/**
 * Why a form was refused, for the page that shows it again: a refusal the person can act on (4xx but 404), its
 * status and message in words (its headers, e.g. Retry-After, set). Anything else is thrown to the error page.
 */
export function formRefusal(err: unknown, res: Response): { status: number; message: string } {
  const { status, body, headers } = toErrorBody(err);
  if (status === 404 || status >= 500) throw err;
  if (headers) res.set(headers);
  return { status, message: inWords(body.error.code, body.error.message) };
}

/** Pages carry the reader's sign-in state: never cached by shared caches. */
export const PAGE_CACHE_CONTROL = 'private, no-cache';
export const HTML_TYPE = 'text/html; charset=utf-8';

/** The complete HTML document of a page, as this request's reader sees it. */
export function pageHtml(req: Request, res: Response, store: AssetStore, shell: PageShell, body: VNode<any>): string {
  const html = renderToString(
    <Document shell={{ ...shell, user: currentUser(req), unread: Number(res.locals.unread ?? 0), assets: store.assets(), here: shell.here ?? req.originalUrl }}>{body}</Document>,
  );
  return `<!doctype html>${html}`;
}

export function sendPage(req: Request, res: Response, store: AssetStore, status: number, shell: PageShell, body: VNode<any>): void {
  // A form sent back with what went wrong says so first in the title, the first thing a screen reader reads out.
  const refused = status >= 400 && status < 500 && status !== 403 && status !== 404 && !shell.errorPage;
  const titled = refused ? { ...shell, title: `Check the form: ${shell.title}` } : shell;
  res.status(status).set({ 'Cache-Control': PAGE_CACHE_CONTROL }).type('html').send(pageHtml(req, res, store, titled, body));
}
