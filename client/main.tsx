// The browser entry: bring the server-rendered thread to life with the props it was rendered from.
import { hydrate } from 'preact';
import { DATA_ID, ISLAND_ID, VIEWER_ID, type ThreadData, type ViewerData } from './thread/data';
import { connectLive } from './thread/live';
import { ThreadApp } from './thread/ThreadApp';

const island = document.getElementById(ISLAND_ID);
const json = document.getElementById(DATA_ID)?.textContent;
if (island && json) {
  const data = JSON.parse(json) as ThreadData;
  const mine = document.getElementById(VIEWER_ID)?.textContent;
  const viewer = mine ? (JSON.parse(mine) as ViewerData) : null;
  hydrate(<ThreadApp {...data} user={viewer?.user ?? null} myVotes={viewer?.votes} ban={viewer?.ban} connect={connectLive} />, island);
}

