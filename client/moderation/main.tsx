// The moderation queue in the browser: the server-rendered queue, then live (items come and go, counts move).
import { hydrate } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import type { QueueItem } from '../../shared/types';
import { DONE, QUEUE_DATA_ID, QUEUE_ISLAND_ID, QueueView, type QueueAct, type QueueData } from '../pages/ModerationPages';
import { api, ApiFailure } from '../thread/api';

function QueueApp(initial: QueueData) {
  const [items, setItems] = useState(initial.items);
  const [counts, setCounts] = useState(initial.counts);
  const [live, setLive] = useState('connecting');
  const [flash, setFlash] = useState(initial.flash);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Where keyboard focus goes once an item acted on has left: the item after it (or before it, or the note).
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const itemsRef = useRef(items);
  itemsRef.current = items;

  const act: QueueAct = async (item, action, reason) => {
    // Its neighbours now: the live feed may take the item off the list before the answer comes.
    const at = itemsRef.current.findIndex((x) => x.id === item.id);
    const neighbours = [itemsRef.current[at + 1], itemsRef.current[at - 1]].filter(Boolean).map((x) => x!.id);
    try {
      await api.moderate(item.id, action, reason);
    } catch (err) {
      setErrors((e) => ({ ...e, [item.id]: err instanceof ApiFailure ? err.message : 'Something went wrong. Try again.' }));
      return;
    }
    setErrors(({ [item.id]: _, ...rest }) => rest);
    setItems((list) => {
      const rest = list.filter((x) => x.id !== item.id);
      const next = neighbours.find((id) => rest.some((x) => x.id === id));
      focusNext.current = next ? `q-${next}` : 'flash';
      return rest;
    });
    setFlash(DONE[action]);
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
    socket.on('queue:counts', setCounts);
    socket.on('queue:removed', ({ id }) => setItems((list) => list.filter((x) => x.id !== id)));
    socket.on('queue:added', (item: QueueItem) => {
      if (item.queue !== initial.status) return;
      // Oldest first, as the page lists them; a refreshed item keeps its place.
      setItems((list) => [...list.filter((x) => x.id !== item.id), item].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)));
    });
    return () => socket.close();
  }, []);
  return <QueueView {...initial} items={items} counts={counts} live={live} flash={flash} act={act} errors={errors} />;
}

const island = document.getElementById(QUEUE_ISLAND_ID);
const json = document.getElementById(QUEUE_DATA_ID)?.textContent;
if (island && json) hydrate(<QueueApp {...(JSON.parse(json) as QueueData)} />, island);
