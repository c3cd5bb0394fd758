// The moderation queue in the browser: the server-rendered queue, then live (items come and go, counts move).
import { hydrate } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import type { QueueItem } from '../../shared/types';
import { DONE, QUEUE_DATA_ID, QUEUE_ISLAND_ID, QueueView, type QueueAct, type QueueData } from '../pages/ModerationPages';
import { setUnread } from '../header';
import { api, ApiFailure } from '../thread/api';

function QueueApp(initial: QueueData) {
  const [items, setItems] = useState(initial.items);
  const [counts, setCounts] = useState(initial.counts);
  const [live, setLive] = useState('connecting');
  const [flash, setFlash] = useState({ text: initial.flash, seq: 0 });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const note = (text: string) => setFlash((f) => ({ text, seq: f.seq + 1 }));
  // Where keyboard focus goes once an item acted on has left: the item after it (or before it, or the note).
  const focusNext = useRef<string | null>(null);
  /** Focus was sent to the note: each new note is a new node, which takes the focus over while nothing else has it. */
  const onNote = useRef(false);
  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    onNote.current = focusNext.current === 'flash';
    focusNext.current = null;
  });
  useEffect(() => {
    if (onNote.current && (document.activeElement === document.body || !document.activeElement)) document.getElementById('flash')?.focus();
  }, [flash.seq]);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  /** Actions sent and not answered yet: a second press of the same item's buttons waits for the first. */
  const inFlight = useRef(new Set<string>());

  /**
   * An item leaves the list (acted on here, or by someone else live). If keyboard focus was in it, or it was this
   * moderator's own act, focus goes to its neighbour (after it, else before it, else the note), never to the page top.
   */
  const leave = (id: string, own: boolean) => {
    const list = itemsRef.current;
    const at = list.findIndex((x) => x.id === id);
    if (at < 0) return;
    const focused = !!document.activeElement?.closest(`[data-queue-id="${id}"]`);
    // Its own act's live echo can come before the act's answer: that is not someone else's.
    const mine = own || inFlight.current.has(id);
    // Taken from under the moderator's keyboard by someone else: said, not only seen.
    if (focused && !mine) note('Another moderator dealt with the comment you were on.');
    const next = list[at + 1] ?? list[at - 1];
    if (mine || focused) focusNext.current = next ? `q-${next.id}` : 'flash';
    itemsRef.current = list.filter((x) => x.id !== id);
    setItems(itemsRef.current);
  };

  const act: QueueAct = async (item, action, reason) => {
    if (inFlight.current.has(item.id)) return;
    inFlight.current.add(item.id);
    try {
      await api.moderate(item.id, action, reason, item.status);
      setErrors(({ [item.id]: _, ...rest }) => rest);
      note(DONE[action]);
      leave(item.id, true);
    } catch (err) {
      const text = err instanceof ApiFailure ? err.message : 'Something went wrong. Try again.';
      // Gone from the list meanwhile (another moderator acted first): the note says why nothing was done.
      if (itemsRef.current.some((x) => x.id === item.id)) setErrors((e) => ({ ...e, [item.id]: text }));
      else note(text);
    } finally {
      inFlight.current.delete(item.id);
    }
  };
  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket', 'polling'] });
    socket.on('connect', () =>
      socket.emit('moderation:join', {}, (reply) => {
        if (!reply.ok) return setLive('static');
        setCounts(reply.counts);
        setLive('live');
      }),
    );
    socket.on('disconnect', () => setLive('reconnecting'));
    // Logged out in another tab or device: the queue is a moderator's, so the page shows what a visitor gets now.
    socket.on('session:ended', () => location.reload());
    // A role taken away (or given): the queue is shown again as the member is now.
    socket.on('account:role-changed', () => location.reload());
    // The moderator's own bell, as on every page of theirs.
    socket.on('notification', (p) => setUnread(p.unread));
    socket.on('notifications:unread', (p) => setUnread(p.unread));
    socket.on('queue:counts', setCounts);
    socket.on('queue:removed', ({ id }) => leave(id, false));
    socket.on('queue:added', (item: QueueItem) => {
      if (item.queue !== initial.status) return;
      // Oldest first, as the page lists them; a refreshed item keeps its place.
      itemsRef.current = [...itemsRef.current.filter((x) => x.id !== item.id), item].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      setItems(itemsRef.current);
    });
    return () => socket.close();
  }, []);
  return <QueueView {...initial} items={items} counts={counts} live={live} flash={flash.text} flashSeq={flash.seq} act={act} errors={errors} />;
}

const island = document.getElementById(QUEUE_ISLAND_ID);
const json = document.getElementById(QUEUE_DATA_ID)?.textContent;
if (island && json) hydrate(<QueueApp {...(JSON.parse(json) as QueueData)} />, island);
