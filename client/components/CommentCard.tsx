// A comment shown outside its thread (a profile, the notifications list): who, where, when, the text, and a link
// to it in its thread.
import type { CommentDTO, SongRef } from '../../shared/types';
import { renderText } from '../text';
import { GuestLabel } from './GuestLabel';
import { fullDate, relativeTime } from '../time';

export const permalinkOf = (slug: string, id: string) => `/songs/${encodeURIComponent(slug)}/c/${id}#c-${id}`;

/** `open`: where the card's comment is read (its permalink unless given), and a link saying so under the text. */
export function CommentCard({ comment: c, song, now, lead, open }: { comment: CommentDTO; song: SongRef; now: number; lead?: string; open?: { href: string; label: string } }) {
  const removed = c.status === 'removed';
  return (
    <article class={`comment card${removed ? ' removed' : ''}`}>
      <header class="comment-meta">
        {lead && <span class="lead">{lead} </span>}
        <span class="author">{c.author.name}</span>
        <GuestLabel author={c.author} />
        {c.author.location && <span class="location"> from {c.author.location}</span>}
        {' on '}
        <a href={`/songs/${encodeURIComponent(song.slug)}`}>
          {song.title} by {song.artist}
        </a>
        <span class="sep" aria-hidden="true">
          {' · '}
        </span>
        <a href={open?.href ?? permalinkOf(song.slug, c.id)}>
          <time dateTime={c.createdAt} title={fullDate(c.createdAt)}>
            {relativeTime(c.createdAt, now)}
          </time>
        </a>
      </header>
      <div class="comment-body">{removed ? <p class="muted">This comment was removed.</p> : renderText(c.body)}</div>
      {open && (
        <p class="card-open">
          <a href={open.href}>{open.label}</a>
        </p>
      )}
    </article>
  );
}
