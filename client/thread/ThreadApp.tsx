// The song's discussion: server-rendered as it stands, then live in the browser (hydrated from the same props).
import { banEnd, plural, roleWithArticle } from '../../shared/words';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { catchUpMark } from '../../shared/catchup';
import type { BanDTO, CommentDTO, Role, ThreadSort, UserDTO, VoteValue } from '../../shared/types';
import { PicksBox, updatePicks } from '../components/Picks';
import { isGuest, nameAsText } from '../components/GuestLabel';
import { setUnread, showAccount, whoIsSignedInNow } from '../header';
import { api, ApiFailure, catchUp } from './api';
import { CommentItem, isStaff, type CommentActions, type CommentContext } from './Comment';
import { CommentForm, type Draft } from './CommentForm';
import type { ThreadData } from './data';
import { guestTokenOf, keepGuestToken, rememberGuest } from './guest';
import type { Live, LinkStatus, LiveHandlers } from './live';
import { arrivalAnnouncer, BURST_MS } from './arrivals';
import { NewCommentsNotice, useTitleCount } from './NewCommentsNotice';
import * as T from './state';
import { buildTree } from './tree';

export interface ThreadProps extends ThreadData {
  /** The browser passes the socket; the server renders without one. */
  connect?(slug: string, h: LiveHandlers): Live;
  /** The member's votes on the page, when it was made for them alone (ViewerData.votes). */
  myVotes?: Record<string, VoteValue>;
  /** The member's ban, when they are banned (ViewerData.ban). */
  ban?: BanDTO;
}

const SORTS: [ThreadSort, string][] = [
  ['oldest', 'Oldest'],
  ['newest', 'Newest'],
  ['top', 'Top'],
];

const message = (err: unknown) => (err instanceof ApiFailure ? err.message : 'Something went wrong. Try again.');
const newClientId = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
const nearBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 300;

export function ThreadApp(p: ThreadProps) {
  const [state, setState] = useState(() => T.initialState(p.page, p.sort));
  const [ready, setReady] = useState(false);
  const [now, setNow] = useState<number | null>(p.now);
  const [link, setLink] = useState<LinkStatus>('connecting');
  const [presence, setPresence] = useState<number | null>(null);
  const [typist, setTypist] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const [myVotes, setMyVotes] = useState<Record<string, VoteValue>>(() => p.myVotes ?? {});
  const [flagged, setFlagged] = useState<ReadonlySet<string>>(() => new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [loadError, setLoadError] = useState('');
  const [picks, setPicks] = useState(p.page.picks ?? []);
  const [banned, setBanned] = useState<BanDTO | null>(null);
  const [held, setHeld] = useState(!!p.held);
  // The member the page was made for, until their session ends elsewhere (then a reader, without a reload).
  const [user, setUser] = useState(p.user);
  /** The page's session ended elsewhere: `as` is who the browser is signed in as now (null: no one). */
  const [signedOut, setSignedOut] = useState<{ as: UserDTO | null } | null>(null);
  const [newRole, setNewRole] = useState<Role | null>(null);
  const userRef = useRef(p.user);
  const live = useRef<Live | null>(null);
  const titleCount = useTitleCount();
  // The latest state, updated at once rather than at the next render: events in a burst each see the one
  // before them (the announcements count right, the catch-up starts from the right place).
  const stateRef = useRef(state);
  const apply = (f: (s: T.ThreadState) => T.ThreadState) => {
    stateRef.current = f(stateRef.current);
    setState(stateRef.current);
  };
  const focusAfter = useRef<string | null>(null);
  /** Comments the reader just acted on: the live echo of their own act is not announced back to them. */
  const ownActs = useRef(new Set<string>());
  const typistRef = useRef<string | null>(null);
  const replyDrafts = useRef(new Map<string, Draft>());

  /** The member's votes and reports on comments shown: the page's own once the script runs, then each page loaded. */
  const learnMarks = (items: CommentDTO[]) => {
    if (!userRef.current || !items.length) return;
    api.mine(items.slice(0, 100).map((c) => c.id)).then(
      (m) => {
        setMyVotes((v) => ({ ...v, ...m.votes }));
        setFlagged((f) => new Set([...f, ...m.flagged]));
      },
      () => undefined,
    );
  };

  // The song's header links to the discussion with its count, outside this island: it follows the heading's.
  useEffect(() => {
    const jump = document.querySelector('[data-role="jump-count"]');
    if (jump) jump.textContent = String(state.total);
  }, [state.total]);

  useEffect(() => {
    setReady(true);
    setNow(Date.now());
    // After hydration: the page's shared parts were rendered for any member, banned or not.
    if (p.ban) setBanned(p.ban);
    learnMarks([...stateRef.current.items, ...picks]);
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    // Where a catch-up after a drop starts: a little before the newest comment had (shared/catchup.ts says why).
    const mark = catchUpMark(p.newestId);
    // A burst that began at the end of the thread goes on joining it, until the reader scrolls away from the end.
    let followUntil = 0;
    const leftTheEnd = () => {
      if (!nearBottom()) followUntil = 0;
    };
    window.addEventListener('scroll', leftTheEnd, { passive: true });
    const arrivals = arrivalAnnouncer(setAnnounce, () => stateRef.current.unseen.length);
    const received = (c: CommentDTO) => {
      // Brought again by a catch-up's overlap, and counted when it first came: a page of another sort may not show it.
      const again = mark.knows(c);
      mark.note(c);
      const before = stateRef.current;
      if (again && !T.isKnown(before, c)) return;
      const atEnd = nearBottom() || Date.now() < followUntil;
      const { state: next, shown } = T.receiveCreated(before, c, { nearBottom: atEnd });
      if (shown && atEnd) followUntil = Date.now() + BURST_MS;
      apply(() => next);
      if (T.isKnown(before, c)) return;
      // Whoever was typing has posted: their indicator goes with it.
      if (typistRef.current && typistRef.current === nameAsText(c.author.name, isGuest(c.author))) {
        typistRef.current = null;
        setTypist(null);
        clearTimeout(typingTimer);
      }
      titleCount(1);
      arrivals.arrived(shown ? nameAsText(c.author.name, isGuest(c.author)) : null);
    };
    const nameOf = (id: string) => stateRef.current.items.find((x) => x.id === id)?.author.name;
    if (p.connect) {
      live.current = p.connect(p.slug, {
        created: received,
        updated: (c) => {
          const was = stateRef.current.items.find((x) => x.id === c.id);
          apply((s) => T.updated(s, c));
          setPicks((list) => updatePicks(list, c));
          if (!was || ownActs.current.delete(c.id)) return;
          // Said for what a reader would notice: new text, or a new editor's pick (a status or flag change is not news).
          const name = nameAsText(c.author.name, isGuest(c.author));
          if (was.body !== c.body && c.body) setAnnounce(c.editedBy === 'moderator' ? `A moderator edited a comment by ${name}.` : `${name} edited a comment.`);
          else if (c.featured && !was.featured) setAnnounce(`A comment by ${name} is now an editor's pick.`);
        },
        removed: (id, by, gone) => {
          const name = nameOf(id);
          // Its author and moderators still see a rejected or held comment (its new standing follows for them).
          const me = userRef.current;
          const seesIt = !!me && (isStaff(me) || stateRef.current.items.some((x) => x.id === id && x.author.userId === me.id));
          apply((s) => (gone && !seesIt ? T.dropped(s, id) : T.removed(s, id, by)));
          setPicks((list) => list.filter((x) => x.id !== id));
          if (name && !ownActs.current.delete(id)) setAnnounce(`A comment by ${name} was removed.`);
        },
        banned: setBanned,
        unbanned: () => {
          setBanned(null);
          setAnnounce('Your ban was lifted: you can post, vote and report again.');
        },
        signedOut: async () => {
          const was = userRef.current;
          // The same member (logged in again in another tab): nothing changed for this page (its socket reconnects as them).
          const now = await whoIsSignedInNow();
          if (now?.id !== was?.id) endSession(now);
        },
        roleChanged: setNewRole,
        voted: (id, score) => apply((s) => T.voted(s, id, score)),
        presence: setPresence,
        typing: (name, guest) => {
          typistRef.current = nameAsText(name, guest);
          setTypist(typistRef.current);
          clearTimeout(typingTimer);
          typingTimer = setTimeout(() => {
            typistRef.current = null;
            setTypist(null);
          }, 4000);
        },
        renamed: (userId, name, location) => {
          apply((s) => T.renamed(s, userId, name, location));
          setPicks((list) => list.map((c) => (c.author.userId === userId ? { ...c, author: { ...c.author, name, location } } : c)));
        },
        notification: (n, unread) => {
          setUnread(unread);
          // A hidden tab's title counts it: one on another song (one in this thread is counted as its comment arrives).
          titleCount(n.song.slug === p.slug ? 0 : 1);
          setAnnounce(`${nameAsText(n.comment.author.name, isGuest(n.comment.author))} ${n.kind === 'reply' ? 'replied to you' : 'mentioned you'}${n.song.slug === p.slug ? '' : ` on ${n.song.title}`}.`);
        },
        unread: setUnread,
        status: setLink,
        gap: () => {
          const since = mark.since();
          return () => {
            // An empty thread has no comment to start after: its first page is the whole gap.
            const missed = since ? catchUp(p.slug, since) : api.page(p.slug, 'oldest').then((page) => page.items);
            missed.then((items) => items.forEach(received), () => undefined);
          };
        },
      });
    }
    // A link to #c-ID of a comment not on this page goes to the page that holds it.
    const target = /^#c-([0-9a-f]{24})$/.exec(location.hash)?.[1];
    if (target) {
      const el = document.getElementById(`c-${target}`);
      if (el) el.focus();
      else location.replace(`/songs/${encodeURIComponent(p.slug)}/c/${target}#c-${target}`);
    } else {
      // A comment's address given without its #c-ID (copied, shared, typed) still opens at that comment, marked.
      const linked = /^\/songs\/[^/]+\/c\/([0-9a-f]{24})$/.exec(location.pathname)?.[1];
      const el = linked && document.getElementById(`c-${linked}`);
      if (el) {
        location.replace(`#c-${linked}`);
        el.focus();
      }
    }
    return () => {
      clearInterval(tick);
      arrivals.close();
      window.removeEventListener('scroll', leftTheEnd);
      live.current?.close();
    };
  }, []);

  // Focus only ever moves because of the reader's own action (showing new comments, loading more).
  useEffect(() => {
    if (!focusAfter.current) return;
    document.getElementById(`c-${focusAfter.current}`)?.focus();
    focusAfter.current = null;
  });

  // A timed ban ends by itself (the server announces only a moderator's lift): the page lets the member post again then.
  useEffect(() => {
    const left = banned?.until ? Date.parse(banned.until) - Date.now() : null;
    if (left === null || left > 2 ** 31 - 1) return;
    const end = setTimeout(() => {
      setBanned(null);
      setAnnounce('Your ban has ended: you can post, vote and report again.');
    }, Math.max(0, left));
    return () => clearTimeout(end);
  }, [banned]);

  /** The page's member is gone: it reads on as whoever the browser is now, its draft kept. */
  const endSession = (now: UserDTO | null) => {
    userRef.current = null;
    setUser(null);
    setMyVotes({});
    setFlagged(new Set());
    setBanned(null);
    setSignedOut({ as: now });
    showAccount(now, location.pathname + location.search);
    setAnnounce(now ? `You are now signed in as ${now.displayName}, from another tab.` : 'You were logged out.');
  };

  const post = async (d: Draft, parentId: string | null): Promise<string | null> => {
    const clientId = newClientId();
    const u = userRef.current;
    const author = u
      ? { name: u.displayName, location: u.location, userId: u.id, guest: false }
      : { name: d.name?.trim() || 'Guest', location: d.location?.trim() || null, userId: null, guest: true };
    const parent = parentId ? stateRef.current.items.find((x) => x.id === parentId) : undefined;
    const optimistic: T.ViewComment = {
      id: `pending-${clientId}`,
      songId: '',
      parentId,
      author,
      body: d.body,
      createdAt: new Date().toISOString(),
      editedAt: null,
      score: 0,
      replyCount: 0,
      status: 'visible',
      featured: false,
      removedBy: null,
      editedBy: null,
      clientId,
      pending: true,
      inReplyTo: parent ? { id: parent.id, name: parent.author.name, guest: parent.author.guest, excerpt: parent.body.slice(0, 140), removed: parent.status === 'removed' } : null,
    };
    apply((s) => T.addOptimistic(s, optimistic));
    try {
      // Guests name themselves where guests may post; elsewhere (a page whose session ended) the forum says to sign in.
      const guest = u || !p.guestPosting ? undefined : { name: d.name?.trim() ?? '', ...(d.location?.trim() ? { location: d.location.trim() } : {}) };
      const { guestToken, ...comment } = await api.post(p.slug, { body: d.body, ...(parentId ? { parentId } : {}), clientId, ...(guest ? { author: guest } : {}) });
      if (guest) rememberGuest(guest);
      if (guestToken) keepGuestToken(comment.id, guestToken, Date.parse(comment.createdAt) + p.editWindowMs);
      apply((s) => T.confirmOwn(s, { ...comment, clientId }));
      if (comment.status === 'pending') {
        setHeld(true);
        setAnnounce('Your comment is held for review.');
      } else setAnnounce(parentId ? 'Your reply was posted.' : 'Your comment was posted.');
      return null;
    } catch (err) {
      apply((s) => T.failOwn(s, clientId));
      return message(err);
    }
  };

  const attempt = async (f: () => Promise<void>) => {
    try {
      await f();
      return null;
    } catch (err) {
      return message(err);
    }
  };

  const actions: CommentActions = {
    reply: (parentId, d) => post(d, parentId),
    expand: (id) =>
      attempt(async () => {
        let cursor: string | null = null;
        for (let i = 0; i < 10; i++) {
          const page: Awaited<ReturnType<typeof api.replies>> = await api.replies(id, cursor);
          apply((s) => T.addReplies(s, page));
          learnMarks(page.items);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        setExpanded((e) => new Set([...e, id]));
        setAnnounce('Replies shown.');
      }),
    edit: (id, body) =>
      attempt(async () => {
        ownActs.current.add(id);
        const c = await api.edit(id, body, guestTokenOf(id));
        apply((s) => T.updated(s, c));
        setAnnounce('Your comment was saved.');
      }),
    remove: (id) =>
      attempt(async () => {
        ownActs.current.add(id);
        await api.remove(id, guestTokenOf(id));
        apply((s) => T.removed(s, id));
        setAnnounce('Your comment was removed.');
      }),
    vote: (id, value) =>
      attempt(async () => {
        const r = await api.vote(id, value);
        setMyVotes((v) => ({ ...v, [id]: value }));
        apply((s) => T.voted(s, r.id, r.score));
        const score = r.score > 0 ? `+${r.score}` : String(r.score);
        setAnnounce(`${value === 1 ? 'Voted up' : value === -1 ? 'Voted down' : 'Vote withdrawn'}. Score ${score}.`);
      }),
    flag: (id, reason) =>
      attempt(async () => {
        await api.flag(id, reason);
        setFlagged((f) => new Set([...f, id]));
      }),
    typing: (name) => live.current?.typing(name),
  };

  const ctx: CommentContext = { replyDrafts: replyDrafts.current, slug: p.slug, user, banned: !!banned, guestPosting: p.guestPosting, editWindowMs: p.editWindowMs, now, ready, myVotes, flagged, expanded, guestToken: (id) => (ready && !user ? guestTokenOf(id) : null), actions };
  const tree = useMemo(() => buildTree(state.items), [state.items]);

  const loadMore = async (e: Event) => {
    e.preventDefault();
    try {
      const page = await api.page(p.slug, state.sort, state.nextCursor);
      apply((s) => T.appendPage(s, page));
      learnMarks(page.items);
      setLoadError('');
      if (page.items[0]) focusAfter.current = page.items[0].id;
    } catch (err) {
      setLoadError(message(err));
    }
  };

  const switchSort = async (e: Event, sort: ThreadSort) => {
    e.preventDefault();
    try {
      const page = await api.page(p.slug, sort);
      // The thread's newest comment stays where it was: only the page changed.
      apply(() => T.initialState(page, sort));
      learnMarks(page.items);
      setLoadError('');
      history.replaceState(null, '', sort === 'oldest' ? `/songs/${p.slug}` : `/songs/${p.slug}?sort=${sort}`);
    } catch (err) {
      setLoadError(message(err));
    }
  };

  // Oldest first with pages not loaded yet, the new comments show past them, after "Load more" (state.showUnseen):
  // the reader sees what arrived at once, without loading every page in between.
  const showNew = () => {
    const first = stateRef.current.unseen[0];
    apply(T.showUnseen);
    if (first) focusAfter.current = first.id;
  };

  // A page whose session ended keeps its form, and the draft in it: posting then says what to do.
  const canPost = !!user || p.guestPosting || !!signedOut;
  // Absolute: without script a failed post renders this page at the form's POST URL, which has no GET.
  const here = `/songs/${p.slug}`;
  const more = state.nextCursor && (
    <a class="button" href={`${here}?sort=${state.sort}&cursor=${encodeURIComponent(state.nextCursor)}`} onClick={loadMore}>
      Load more comments
    </a>
  );
  const failedLoad = loadError && (
    <p class="form-error" role="alert">
      {loadError}
    </p>
  );
  // Comments past the pages not loaded yet (the reader's own newest, oldest first) come after the gap, in the thread.
  const loaded = tree.filter((n) => !n.comment.beyond);
  const beyond = more ? tree.filter((n) => n.comment.beyond) : [];
  return (
    <section class="discussion" id="discussion" aria-labelledby="discussion-heading" data-state={ready ? link : 'static'} tabIndex={-1}>
      <div class="discussion-head">
        <h2 id="discussion-heading">Discussion ({state.total})</h2>
        <p class="live-status">
          {presence !== null && <span class="presence">{plural(presence, 'person', 'people')} reading now</span>}
          {typist && <span class="typing"> · {typist === user?.displayName ? 'Someone' : typist} is typing…</span>}
        </p>
        {/* A banned member has no form to go to: the section it leads to says why. */}
        {!banned && (
          <p class="write-link">
            <a
              class="button"
              href="#post"
              onClick={(e) => {
                const box = document.querySelector<HTMLElement>('form[data-role="comment-form"] textarea');
                if (!box) return;
                e.preventDefault();
                box.focus();
              }}
            >
              Write a comment
            </a>
          </p>
        )}
      </div>
      {newRole && (
        <p class="banner" role="status" data-role="role-notice">
          An admin made you {roleWithArticle(newRole)}. <a href={location.pathname + location.search}>Reload the page</a> to get
          the tools that go with it.
        </p>
      )}
      {ready && link === 'reconnecting' && (
        <p class="banner" role="status">
          Connection lost. Reconnecting…
        </p>
      )}
      <nav class="sorts" aria-label="Sort comments">
        {SORTS.map(([key, label]) => (
          <a href={key === 'oldest' ? here : `${here}?sort=${key}`} aria-current={state.sort === key && !p.startsAt ? 'true' : undefined} onClick={(e) => switchSort(e, key)}>
            {label}
          </a>
        ))}
      </nav>
      {p.notice && (
        <p class="form-error" role="alert">
          {p.notice}
        </p>
      )}
      {p.modNote && (
        <p class="banner" role="status" data-role="mod-notice">
          {p.modNote}
        </p>
      )}
      {p.reported && (
        <p class="banner" role="status" data-role="reported-notice">
          Reported. Thank you: a moderator will look at it.
        </p>
      )}
      {p.startsAt && (
        <p class="more earlier">
          <a href={here}>Show earlier comments</a>
        </p>
      )}
      <PicksBox picks={picks} />
      {state.items.length === 0 && <p class="muted empty">No comments yet. Start the discussion.</p>}
      <ol class="thread" data-role="thread">
        {(beyond.length ? loaded : tree).map((n) => (
          <CommentItem key={n.comment.id} node={n} ctx={ctx} />
        ))}
        {beyond.length > 0 && (
          <li class="more gap" data-role="thread-gap">
            {more}
            {failedLoad}
          </li>
        )}
        {beyond.map((n) => (
          <CommentItem key={n.comment.id} node={n} ctx={ctx} />
        ))}
      </ol>
      {beyond.length === 0 && failedLoad}
      {beyond.length === 0 && more && <p class="more">{more}</p>}
      <NewCommentsNotice count={state.unseen.length} onShow={showNew} />
      <div class="sr-only" aria-live="polite" role="status">
        {announce}
      </div>
      <section class="post" id="post" aria-labelledby="post-heading">
        <h2 id="post-heading">Join the discussion</h2>
        {held && (
          <p class="banner" role="status" data-role="held-notice">
            Your comment is held for review: it will appear once a moderator approves it.
          </p>
        )}
        {signedOut &&
          (signedOut.as ? (
            <p class="banner" role="status" data-role="signed-out-notice">
              You are now signed in as {signedOut.as.displayName}, from another tab. <a href={location.pathname + location.search}>Reload the page</a> to go on as them.
            </p>
          ) : (
            <p class="banner" role="status" data-role="signed-out-notice">
              You were logged out (in another tab or on another device, or by a password change).{' '}
              <a href={`/login?next=${encodeURIComponent(`/songs/${p.slug}`)}`}>Log in</a> again to post as yourself.
            </p>
          ))}
        {banned ? (
          <p class="banner" role="alert" data-role="banned-notice">
            Your account is banned{banned.until ? ` until ${banEnd(banned.until)}` : ''}: you can read, but no longer post, vote or report.
          </p>
        ) : canPost ? (
          <CommentForm
            slug={p.slug}
            role="comment-form"
            idPrefix="new-comment"
            guest={!user && p.guestPosting}
            ready={ready}
            clientId={p.formClientId}
            formToken={p.formToken}
            initial={p.form ? { body: p.form.body, name: p.form.name, location: p.form.location } : undefined}
            initialError={p.form?.error}
            onPost={(d) => post(d, null)}
            onTyping={actions.typing}
          />
        ) : (
          <p>
            <a href={`/login?next=${encodeURIComponent(`/songs/${p.slug}`)}`}>Log in</a> or <a href={`/register?next=${encodeURIComponent(`/songs/${p.slug}`)}`}>create an account</a> to join the discussion.
          </p>
        )}
      </section>
    </section>
  );
}
