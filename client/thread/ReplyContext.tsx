// A reply shown away from its parent (a later page, the newest or top order, a live arrival): who it answers,
// how their comment began, and a link to it, so the reply reads in context wherever it lands.
import type { ReplyContext as Context } from '../../shared/types';
import { GuestLabel } from '../components/GuestLabel';

/** `brief`: the name alone (the comment just above quoted the same parent, or it is in view nearby). */
export function ReplyContext({ slug, context, parentId, brief = false }: { slug: string; context: Context | null | undefined; parentId: string; brief?: boolean }) {
  const href = `/songs/${encodeURIComponent(slug)}/c/${parentId}#c-${parentId}`;
  if (!context) {
    return (
      <p class="in-reply-to">
        <a href={href}>In reply to a comment</a>
      </p>
    );
  }
  return (
    <p class="in-reply-to">
      In reply to <a href={href}>{context.name}</a>
      {context.guest && <GuestLabel author={{ userId: null }} />}
      {context.removed ? <span class="muted"> (removed)</span> : !brief && context.excerpt && <q class="excerpt">{context.excerpt}</q>}
    </p>
  );
}
