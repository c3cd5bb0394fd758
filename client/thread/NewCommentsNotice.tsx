// New comments where the reader is: a notice that floats at the bottom of the window while comments wait to be
// shown, and a count in the tab's title while the tab is hidden.
import { plural } from '../../shared/words';
import { useEffect, useRef } from 'preact/hooks';


export function NewCommentsNotice({ count, onShow }: { count: number; onShow(): void }) {
  if (count === 0) return null;
  return (
    <div class="new-comments-float">
      <button type="button" class="new-comments" onClick={onShow}>
        Show {plural(count, 'new comment', 'new comments')}
      </button>
    </div>
  );
}

/** Counts comments that arrive while the tab is hidden into its title, "(3) Song · Chorus"; cleared on return. */
export function useTitleCount(): (arrived: number) => void {
  const missed = useRef(0);
  const base = useRef('');
  useEffect(() => {
    base.current = document.title;
    const back = () => {
      if (document.hidden) return;
      missed.current = 0;
      document.title = base.current;
    };
    document.addEventListener('visibilitychange', back);
    return () => document.removeEventListener('visibilitychange', back);
  }, []);
  return (arrived) => {
    if (!document.hidden || arrived <= 0) return;
    missed.current += arrived;
    document.title = `(${missed.current}) ${base.current}`;
  };
}
