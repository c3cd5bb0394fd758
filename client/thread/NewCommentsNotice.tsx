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

/**
 * Counts what arrives while the tab is hidden into its title, "(3) Song · Chorus"; cleared on return. `stop` lets
 * go of the tab (the hook's cleanup).
 */
export function titleCounter(): { count(arrived: number): void; stop(): void } {
  let missed = 0;
  const base = document.title;
  const back = () => {
    if (document.hidden) return;
    missed = 0;
    document.title = base;
  };
  document.addEventListener('visibilitychange', back);
  return {
    count(arrived) {
      if (!document.hidden || arrived <= 0) return;
      missed += arrived;
      document.title = `(${missed}) ${base}`;
    },
    stop: () => document.removeEventListener('visibilitychange', back),
  };
}

/** The thread's title counter (titleCounter), made once the page is in the browser. */
export function useTitleCount(): (arrived: number) => void {
  const counter = useRef<ReturnType<typeof titleCounter> | null>(null);
  useEffect(() => {
    counter.current = titleCounter();
    return () => counter.current?.stop();
  }, []);
  return (arrived) => counter.current?.count(arrived);
}
