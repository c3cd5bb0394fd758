// /songs/:slug: the song (title, artists, album, chart peaks, facts), then its live discussion.
import type { SongDTO } from '../../shared/types';
import { OPEN_FACTS_WIDE } from '../../shared/inline-scripts';
import { Slot } from '../components/Document';
import { renderText } from '../text';
import { DATA_ID, ISLAND_ID, VIEWER_ID, type ThreadData, type ViewerData } from '../thread/data';
import { ThreadApp } from '../thread/ThreadApp';

/** JSON for a <script type="application/json"> block: "<" escaped so no text can close the element. */
export const safeJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Facts shown before the rest fold away (small screens keep them folded; the script opens them on wide ones). */
export const FIRST_FACTS = 3;

/** The member's block for the browser: who they are (see ViewerData). */
export function ViewerBlock({ viewer }: { viewer: ViewerData }) {
  return <script type="application/json" id={VIEWER_ID} dangerouslySetInnerHTML={{ __html: safeJson(viewer) }} />;
}

/**
 * `viewer`: the signed-in member's block, or 'slot' for a page kept as parts (filled per request with ViewerBlock).
 * The thread data is the same for every reader: the member is in their block alone.
 */
export function SongPage({ song, thread, viewer }: { song: SongDTO; thread: ThreadData; viewer?: ViewerData | 'slot' | null }) {
  const facts = song.facts ?? [];
  const rest = facts.slice(FIRST_FACTS);
  return (
    <>
      <article class="song" aria-labelledby="song-title">
        <header class="song-head">
          <h1 id="song-title">{song.title}</h1>
          <p class="jump">
            <a href="#discussion">
              Jump to the discussion (<span data-role="jump-count">{thread.page.total}</span>)
            </a>
          </p>
          <p class="byline">
            by <span class="artist">{song.artist}</span>
            {song.featuring.length > 0 && <span class="featuring"> featuring {song.featuring.join(', ')}</span>}
          </p>
          <dl class="song-details">
            {song.album && (
              <>
                <dt>Album</dt>
                <dd>
                  {song.album}
                  {song.year !== null && ` (${song.year})`}
                </dd>
              </>
            )}
            {!song.album && song.year !== null && (
              <>
                <dt>Year</dt>
                <dd>{song.year}</dd>
              </>
            )}
            {song.charts.length > 0 && (
              <>
                <dt>Chart peaks</dt>
                <dd>
                  <ul class="charts">
                    {song.charts.map((c) => (
                      <li>
                        {c.region} <strong>#{c.peak}</strong>
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
          </dl>
        </header>
        {facts.length > 0 && (
          <section class="facts" aria-labelledby="facts-heading">
            <h2 id="facts-heading">Song facts</h2>
            <ul>
              {facts.slice(0, FIRST_FACTS).map((f) => (
                <li class="fact">{renderText(f)}</li>
              ))}
            </ul>
            {rest.length > 0 && (
              <details class="more-facts">
                <summary>
                  {rest.length} more {rest.length === 1 ? 'fact' : 'facts'}
                </summary>
                <ul>
                  {rest.map((f) => (
                    <li class="fact">{renderText(f)}</li>
                  ))}
                </ul>
              </details>
            )}
            {rest.length > 0 && <script dangerouslySetInnerHTML={{ __html: OPEN_FACTS_WIDE }} />}
          </section>
        )}
      </article>
      <script type="application/json" id={DATA_ID} dangerouslySetInnerHTML={{ __html: safeJson({ ...thread, user: null }) }} />
      {viewer === 'slot' ? <Slot name="viewer" /> : viewer && <ViewerBlock viewer={viewer} />}
      <div id={ISLAND_ID}>
        <ThreadApp {...thread} myVotes={viewer && viewer !== 'slot' ? viewer.votes : undefined} />
      </div>
    </>
  );
}

/** The meta description: the first fact, shortened, or who made the song. */
export function songDescription(song: SongDTO): string {
  const first = song.facts?.[0]?.replace(/\s+/g, ' ').trim();
  const who = `${song.title} by ${song.artist}${song.album ? `, from ${song.album}` : ''}${song.year ? ` (${song.year})` : ''}.`;
  if (!first) return `${who} Facts and live discussion on Chorus.`;
  return first.length > 155 ? `${first.slice(0, 154).replace(/\s\S*$/, '')}…` : first;
}
