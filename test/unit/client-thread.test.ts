// The browser's pure pieces, shared with the server render: comment text, the live thread's rules, nesting.
import assert from 'node:assert/strict';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { CommentDTO } from '../../shared/types';
import { renderText } from '../../client/text';
import { ANNOUNCE_MS, arrivalAnnouncer, arrivalWords } from '../../client/thread/arrivals';
import * as T from '../../client/thread/state';
import { buildTree } from '../../client/thread/tree';

const html = (body: string) => renderToString(h('div', null, ...renderText(body)));

let seq = 0;
const comment = (over: Partial<CommentDTO> = {}): CommentDTO => {
  seq += 1;
  return {
    id: (0x650000000000 + seq).toString(16).padStart(24, '0'),
    songId: 's',
    parentId: null,
    author: { name: 'A', location: null, userId: null, guest: true },
    body: `comment ${seq}`,
    createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    editedAt: null,
    score: 0,
    replyCount: 0,
    status: 'visible',
    featured: false,
    removedBy: null,
    editedBy: null,
    ...over,
  };
};

describe('comment text (server and browser)', () => {
  it('makes paragraphs from blank lines and line breaks from single ones', () => {
    assert.equal(html('one\ntwo\n\n\nthree'), '<div><p>one<br/>two</p><p>three</p></div>');
  });

  it('links http(s) URLs with rel="nofollow ugc noopener", leaving trailing punctuation outside', () => {
    assert.equal(
      html('see https://example.org/a_(b). and http://x.test!'),
      '<div><p>see <a href="https://example.org/a_(b)" rel="nofollow ugc noopener" target="_blank">https://example.org/a_(b)</a>. and <a href="http://x.test/" rel="nofollow ugc noopener" target="_blank">http://x.test</a>!</p></div>',
    );
  });

  it('never links other schemes and escapes markup', () => {
    const out = html('javascript:alert(1) <a href="javascript:x">y</a> data:text/html,<script>1</script> <img src=x onerror=alert(1)>');
    assert.doesNotMatch(out, /<a |<img|<script/);
    assert.match(out, /&lt;img src=x onerror=alert\(1\)>/);
  });
});

describe('live thread state', () => {
  const page = (items: CommentDTO[], nextCursor: string | null = null) => ({ items, nextCursor, total: items.length });

  it('reconciles an optimistic post with the server copy by clientId, whichever arrives first, never twice', () => {
    const server = comment({ clientId: 'c1', body: 'mine' });
    const optimistic: T.ViewComment = { ...server, id: 'pending-c1', pending: true };
    const start = T.addOptimistic(T.initialState(page([comment()]), 'oldest'), optimistic);
    // Answer first, then the live echo.
    let s = T.confirmOwn(start, server);
    s = T.receiveCreated(s, server, { nearBottom: true }).state;
    assert.deepEqual(s.items.map((c) => c.id), [start.items[0].id, server.id]);
    assert.equal(s.total, 2);
    // Echo first (without clientId, as another server might send it), then the answer.
    let e = T.receiveCreated(start, { ...server, clientId: null }, { nearBottom: true }).state;
    e = T.confirmOwn(e, server);
    assert.deepEqual(e.items.map((c) => c.id), [start.items[0].id, server.id]);
    assert.equal(e.items.filter((c) => c.pending).length, 0);
    assert.equal(e.total, 2);
  });

  it('drops the optimistic copy when the post fails', () => {
    const s = T.addOptimistic(T.initialState(page([]), 'oldest'), { ...comment({ clientId: 'x' }), pending: true });
    assert.deepEqual(T.failOwn(s, 'x').items, []);
  });

  it('appends a new comment for a reader at the end sorted oldest; otherwise holds it behind the button', () => {
    const base = T.initialState(page([comment()]), 'oldest');
    const fresh = comment();
    assert.equal(T.receiveCreated(base, fresh, { nearBottom: true }).shown, true);
    const away = T.receiveCreated(base, fresh, { nearBottom: false });
    assert.equal(away.shown, false);
    assert.equal(away.state.unseen.length, 1);
    const newest = T.receiveCreated(T.initialState(page([comment()]), 'newest'), fresh, { nearBottom: true });
    assert.equal(newest.shown, false);
    assert.equal(T.showUnseen(newest.state).items[0].id, fresh.id);
    // More pages still to load: the new comment's place is not on screen yet.
    assert.equal(T.receiveCreated(T.initialState(page([comment()], 'cur'), 'oldest'), comment(), { nearBottom: true }).shown, false);
    // The same comment twice (recovery replay, catch-up overlap) is counted once.
    const twice = T.receiveCreated(away.state, fresh, { nearBottom: false }).state;
    assert.equal(twice.unseen.length, 1);
    assert.equal(twice.total, 2);
  });

  it('shows a reply under its parent at once, and load more skips comments already shown', () => {
    const parent = comment();
    const s = T.initialState(page([parent], 'cur'), 'newest');
    const reply = comment({ parentId: parent.id });
    const r = T.receiveCreated(s, reply, { nearBottom: false });
    assert.equal(r.shown, true);
    const more = T.appendPage(r.state, page([reply, comment()]));
    assert.equal(more.items.length, 3);
    assert.equal(more.nextCursor, null);
  });

  it('puts the reader\'s own post past the pages not loaded yet (oldest first), and in order once they load', () => {
    const [a, b, c, d] = [comment(), comment(), comment(), comment()];
    const server = comment({ clientId: 'own', body: 'mine' });
    let s = T.initialState(page([a, b], 'cursor-1'), 'oldest');
    s = T.addOptimistic(s, { ...server, id: 'pending-own', pending: true });
    assert.deepEqual(s.items.map((x) => [x.id, !!x.beyond]), [[a.id, false], [b.id, false], ['pending-own', true]]);
    s = T.confirmOwn(s, server);
    assert.deepEqual(s.items.map((x) => [x.id, !!x.beyond]), [[a.id, false], [b.id, false], [server.id, true]]);
    // A reply to it nests under it; its parent stays past the gap.
    const reply = T.receiveCreated(s, comment({ parentId: server.id }), { nearBottom: true }).state;
    assert.equal(buildTree(reply.items).find((n) => n.comment.id === server.id)?.replies.length, 1);
    // A page that does not reach it: the page goes before it.
    s = T.appendPage(s, page([c], 'cursor-2'));
    assert.deepEqual(s.items.map((x) => [x.id, !!x.beyond]), [[a.id, false], [b.id, false], [c.id, false], [server.id, true]]);
    // The last page brings it: in the page's order, once, nothing past any gap.
    s = T.appendPage(s, page([d, server]));
    assert.deepEqual(s.items.map((x) => [x.id, !!x.beyond]), [[a.id, false], [b.id, false], [c.id, false], [d.id, false], [server.id, false]]);
    // Fully loaded, or sorted newest first: no gap to go past.
    assert.equal(T.addOptimistic(s, comment({ clientId: 'x', pending: true } as Partial<T.ViewComment>)).items.at(-1)?.beyond, undefined);
    assert.equal(T.addOptimistic(T.initialState(page([a], 'c'), 'newest'), comment()).items[0].beyond, undefined);
  });

  it('shows waiting comments past the pages not loaded yet (oldest first), replies too, and in order once those load', () => {
    const [a, b, c] = [comment(), comment(), comment()];
    let s = T.initialState(page([a], 'cursor-1'), 'oldest');
    const fresh = comment({ body: 'new' });
    const answer = comment({ parentId: b.id, body: 'answers a comment on a page not loaded' });
    s = T.receiveCreated(s, fresh, { nearBottom: true }).state;
    s = T.receiveCreated(s, answer, { nearBottom: true }).state;
    assert.equal(s.unseen.length, 2, 'pages still to load: they wait behind the button');
    s = T.showUnseen(s);
    assert.deepEqual(s.items.map((x) => [x.id, !!x.beyond]), [[a.id, false], [fresh.id, true], [answer.id, true]]);
    assert.deepEqual(s.unseen, []);
    const roots = (st: T.ThreadState) => buildTree(st.items).map((n) => [n.comment.id, !!n.comment.beyond]);
    // The page with the answered comment loads: the answer nests under it, before the gap; the new one stays past it.
    s = T.appendPage(s, page([b], 'cursor-2'));
    assert.deepEqual(roots(s), [[a.id, false], [b.id, false], [fresh.id, true]]);
    assert.equal(buildTree(s.items)[1].replies[0]?.comment.id, answer.id);
    // The last page: everything in the thread's order, no gap.
    s = T.appendPage(s, page([c, fresh, answer]));
    assert.deepEqual(roots(s), [[a.id, false], [b.id, false], [c.id, false], [fresh.id, false]]);
  });

  it('drops a comment that left the thread with no placeholder, counting it once, shown or waiting', () => {
    const [a, b] = [comment(), comment()];
    let s = T.initialState(page([a, b]), 'newest');
    const waiting = comment();
    s = T.receiveCreated(s, waiting, { nearBottom: false }).state;
    assert.equal(s.total, 3);
    s = T.dropped(T.dropped(s, a.id), waiting.id);
    assert.deepEqual([s.items.map((x) => x.id), s.unseen.length, s.total], [[b.id], 0, 1]);
    // A removal keeps its place as a placeholder.
    assert.equal(T.removed(s, b.id, 'moderator').items[0].status, 'removed');
  });

  it('renames a member\'s comments live, their location too when it is given, and keeps it when it is not', () => {
    const mine = comment({ author: { name: 'Ana', location: 'Lisbon', userId: 'u1', guest: false } });
    const reply = comment({ parentId: mine.id });
    const withContext = { ...reply, inReplyTo: { id: mine.id, name: 'Ana', guest: false, excerpt: '', removed: false } };
    let s = T.initialState(page([mine, withContext]), 'oldest');
    s = T.renamed(s, 'u1', 'Ana P', null);
    assert.deepEqual(s.items[0].author, { name: 'Ana P', location: null, userId: 'u1', guest: false });
    assert.equal(s.items[1].inReplyTo?.name, 'Ana P');
    s = T.renamed(s, 'u1', 'Ana Q');
    assert.deepEqual([s.items[0].author.name, s.items[0].author.location], ['Ana Q', null]);
  });

  it('applies removals and votes', () => {
    const a = comment();
    const b = comment();
    let s = T.initialState(page([b, a]), 'newest');
    s = T.voted(T.removed(s, a.id), b.id, 7);
    assert.equal(s.items.find((c) => c.id === a.id)?.status, 'removed');
    assert.equal(s.items.find((c) => c.id === a.id)?.body, '');
    assert.equal(s.items.find((c) => c.id === b.id)?.score, 7);
  });
});

describe('reply nesting', () => {
  it('nests replies under parents and lines up replies past the depth cap', () => {
    const root = comment();
    const r1 = comment({ parentId: root.id });
    const r2 = comment({ parentId: r1.id });
    const r3 = comment({ parentId: r2.id });
    const r4 = comment({ parentId: r3.id });
    const orphan = comment({ parentId: 'ffffffffffffffffffffffff' });
    const tree = buildTree([root, r4, r3, r2, r1, orphan], 2);
    assert.deepEqual(tree.map((n) => n.comment.id), [root.id, orphan.id]);
    const depth2 = tree[0].replies[0].replies[0];
    assert.equal(depth2.comment.id, r2.id);
    assert.deepEqual(depth2.replies.map((n) => [n.comment.id, n.depth, n.replies.length]), [
      [r3.id, 2, 0],
      [r4.id, 2, 0],
    ]);
    // r4 answers r3, not r2 it is lined up under: it says whom it answers (by name); r3 answers r2, in its place.
    assert.deepEqual(depth2.replies.map((n) => n.context), [null, 'brief']);
    assert.equal(tree[0].context, null);
    assert.equal(tree[1].context, 'full', 'a reply whose parent is not on the page quotes it');
  });

  it('quotes a parent once for a run of replies to it listed away from it, then names it', () => {
    const away = 'eeeeeeeeeeeeeeeeeeeeeeee';
    const [a, b, c] = [comment({ parentId: away }), comment({ parentId: away }), comment({ parentId: away })];
    const other = comment({ parentId: 'dddddddddddddddddddddddd' });
    const d = comment({ parentId: away });
    assert.deepEqual(buildTree([a, b, c, other, d]).map((n) => n.context), ['full', 'brief', 'brief', 'full', 'full']);
  });
});

describe('live arrivals said once per burst (client/thread/arrivals.ts)', () => {
  it('names who was shown, each once, and counts what waits behind the button', () => {
    assert.equal(arrivalWords(['Rae'], 0), 'New comment from Rae.');
    assert.equal(arrivalWords(['Rae', 'Tia'], 0), '2 new comments, from Rae and Tia.');
    assert.equal(arrivalWords(['Rae', 'Rae', 'Rae'], 0), '3 new comments, from Rae.');
    assert.equal(arrivalWords(['Rae', 'Tia', 'Ana', 'Bo (guest)', 'Cy'], 0), '5 new comments, from Rae, Tia, Ana and 2 others.');
    assert.equal(arrivalWords(['Rae'], 1), 'New comment from Rae. 1 new comment waiting.');
    assert.equal(arrivalWords([], 3), '3 new comments.');
    assert.equal(arrivalWords([], 0), '');
  });

  it('gathers a burst and says it once, then starts a new burst', async () => {
    const said: string[] = [];
    let waiting = 0;
    const a = arrivalAnnouncer((t) => said.push(t), () => waiting);
    a.arrived('Rae');
    a.arrived(null);
    waiting = 1;
    a.arrived('Tia');
    assert.deepEqual(said, [], 'nothing said while the burst gathers');
    await new Promise((r) => setTimeout(r, ANNOUNCE_MS + 50));
    assert.deepEqual(said, ['2 new comments, from Rae and Tia. 1 new comment waiting.']);
    a.arrived('Ana');
    await new Promise((r) => setTimeout(r, ANNOUNCE_MS + 50));
    assert.deepEqual(said.slice(1), ['New comment from Ana. 1 new comment waiting.']);
    a.close();
  });
});
