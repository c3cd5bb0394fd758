// Editor's picks: featured comments, in a box at the top of a thread's first page and on the home page.
import type { CommentDTO, SongRef } from '../../shared/types';
import { renderText } from '../text';
import { GuestLabel } from './GuestLabel';

type Picked = CommentDTO & { song?: SongRef };

export function PicksBox({ picks, heading = "Editor's picks", level = 3 }: { picks: Picked[]; heading?: string; level?: 2 | 3 }) {
  if (!picks.length) return null;
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section class="picks" aria-labelledby="picks-heading" data-role="picks">
      <H id="picks-heading">{heading}</H>
      <ol>
        {picks.map((c) => (
          <li class="pick" data-pick-id={c.id}>
            <blockquote>{renderText(c.body)}</blockquote>
            <p class="muted">
              <a href={c.song ? `/songs/${c.song.slug}#c-${c.id}` : `#c-${c.id}`}>
                {c.author.name}
              </a>
              <GuestLabel author={c.author} />
              {c.author.location && ` from ${c.author.location}`}
              {c.song && (
                <>
                  {' on '}
                  <a href={`/songs/${c.song.slug}`}>
                    {c.song.title} by {c.song.artist}
                  </a>
                </>
              )}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A comment's change as the picks box takes it: in while featured and visible, out otherwise. */
export function updatePicks<T extends CommentDTO>(picks: T[], c: T): T[] {
  const rest = picks.filter((x) => x.id !== c.id);
  return c.featured && c.status === 'visible' ? [c, ...rest] : rest;
}
