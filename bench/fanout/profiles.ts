// npx tsx bench/fanout/profiles.ts DIR: what the CPU profiles of a fan-out run made with FANOUT_PROF_DIR=DIR say.
// Per process: its CPU time (every sample but idle), and
//   - for a server, the part spent in the broadcast's loop over the readers (socket.io's in-memory adapter `apply`;
//     the baseline's `relay`), per comment;
//   - for a load generator, its CPU per delivery (its readers x the comments), and the part in the client libraries
//     (socket.io-client and what it runs on, ws, and the garbage collector).
// Profiles cover a process's whole life (start-up, connecting, warm-up), so a server's total per comment is an upper
// bound; the broadcast loop and the per-delivery figures are the like-for-like ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfiledProcess } from './protocol';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx bench/fanout/profiles.ts DIR (the FANOUT_PROF_DIR of a run)');
  process.exit(2);
}

const CLIENT_LIBRARIES = ['socket.io-client', 'engine.io-client', 'socket.io-parser', '@socket.io/component-emitter', 'node_modules/ws/'];
const isBroadcastLoop = (f: ProfileNode['callFrame']) =>
  (f.functionName === 'apply' && f.url.includes('socket.io-adapter') && f.url.endsWith('in-memory-adapter.js')) || (f.functionName === 'relay' && f.url.endsWith('ws-server.ts'));

/** CPU ms in all, under the broadcast loop, and in the client libraries (self time), of one profile. */
function summarise(profile: Profile): { cpu: number; loop: number; libraries: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let cpu = 0, loop = 0, libraries = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    cpu += us;
    if (frame.functionName === '(garbage collector)' || CLIENT_LIBRARIES.some((l) => frame.url.includes(l))) libraries += us;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (isBroadcastLoop(byId.get(at)!.callFrame)) {
        loop += us;
        break;
      }
    }
  }
  return { cpu: cpu / 1000, loop: loop / 1000, libraries: libraries / 1000 };
}

const files = readdirSync(dir);
const processes = readFileSync(join(dir, 'processes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProfiledProcess);
const rows: string[] = [];
for (const p of processes) {
  // The main thread's profile (tsx's loader thread writes a second one).
  const file = files.find((f) => f.startsWith('CPU.') && f.includes(`.${p.pid}.0.`));
  if (!file) continue;
  const s = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile);
  if (p.role === 'server') {
    rows.push(`| server (${p.kind}) | ${p.readers} | ${p.comments} | ${s.cpu.toFixed(0)} | ${(s.cpu / p.comments).toFixed(1)} ms | ${(s.loop / p.comments).toFixed(1)} ms | |`);
  } else {
    const deliveries = p.readers * p.comments;
    rows.push(`| load generator (${p.kind}) | ${p.readers} | ${p.comments} | ${s.cpu.toFixed(0)} | ${((s.cpu * 1000) / deliveries).toFixed(1)} µs a delivery | | ${((s.libraries * 1000) / deliveries).toFixed(1)} µs a delivery |`);
  }
}
console.log(
  [
    '| process | readers | comments | CPU ms (whole life) | CPU per comment / delivery | broadcast loop per comment | client libraries + GC |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
