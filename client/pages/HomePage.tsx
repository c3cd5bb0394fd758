// /: recent discussions (songs by last comment) and a search over titles and artists.
import { LIMITS } from '../../shared/limits';
import type { PickDTO, SongDTO } from '../../shared/types';
import { PicksBox } from '../components/Picks';
import { relativeTime } from '../time';

export interface HomeProps {
  songs: SongDTO[];
  q: string;
  nextCursor: string | null;
  now: number;
  /** The latest editor's picks, newest first (the home page without a search). */
  picks?: PickDTO[];
}

export function HomePage({ songs, q, nextCursor, now, picks = [] }: HomeProps) {
  const more = nextCursor ? `/?${new URLSearchParams({ ...(q ? { q } : {}), cursor: nextCursor })}` : null;
  return (
    <>
      <h1>{q ? `Songs matching “${q}”` : 'Recent discussions'}</h1>
      <form class="search" role="search" method="get" action="/">
        <label for="search-q">Search songs and artists</label>
        <span class="search-row">
          <input id="search-q" type="search" name="q" value={q} maxLength={LIMITS.search} />
          <button type="submit">Search</button>
        </span>
      </form>
      {!q && <PicksBox picks={picks} level={2} />}
      {songs.length === 0 ? (
        <p class="muted">{q ? 'No songs match that search.' : 'No songs yet.'}</p>
      ) : (
        <ol class="song-list">
          {songs.map((s) => (
            <li class="song-card">
              <a class="song-link" href={`/songs/${s.slug}`}>
                <span class="song-title">{s.title}</span> <span class="song-artist">by {s.artist}</span>
              </a>
              <span class="song-meta">
                {s.commentCount} {s.commentCount === 1 ? 'comment' : 'comments'}
                {s.lastCommentAt && (
                  <>
                    {' · last '}
                    <time dateTime={s.lastCommentAt}>{relativeTime(s.lastCommentAt, now)}</time>
                  </>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
      {more && (
        <p class="more">
          <a class="button" href={more}>
            More songs
          </a>
        </p>
      )}
    </>
  );
}
