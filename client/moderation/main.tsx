// The moderation queue in the browser: the server-rendered queue, then live (items come and go, counts move).
import { hydrate } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events';
import type { QueueItem } from '../../shared/types';
import { QUEUE_DATA_ID, QUEUE_ISLAND_ID, QueueView, type QueueData } from '../pages/ModerationPages';

function QueueApp(initial: QueueData) {
  const [items, setItems] = useState(initial.items);
  const [counts, setCounts] = useState(initial.counts);
  const [live, setLive] = useState('connecting');
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
    socket.on('queue:counts', setCounts);
    socket.on('queue:removed', ({ id }) => setItems((list) => list.filter((x) => x.id !== id)));
    socket.on('queue:added', (item: QueueItem) => {
      if (item.queue !== initial.status) return;
      // Oldest first, as the page lists them; a refreshed item keeps its place.
      setItems((list) => [...list.filter((x) => x.id !== item.id), item].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)));
    });
    return () => socket.close();
  }, []);
  return <QueueView {...initial} items={items} counts={counts} live={live} />;
}

const island = document.getElementById(QUEUE_ISLAND_ID);
const json = document.getElementById(QUEUE_DATA_ID)?.textContent;
if (island && json) hydrate(<QueueApp {...(JSON.parse(json) as QueueData)} />, island);
