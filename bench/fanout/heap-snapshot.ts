// Reads two V8 heap snapshots of one process (before and after N readers connected) and tells where the readers'
// memory went: the retained size (dominator tree) of every object new in the second snapshot whose dominator is not
// new itself (the roots of the readers' memory), summed by constructor, per reader; and, for the largest of them,
// by field (what each root's own fields hold in the dominator tree).
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const load = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Snapshot;

function nodeIds(s: Snapshot): Set<number> {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const id = fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = 0; i < s.nodes.length; i += width) ids.add(s.nodes[i + id]);
  return ids;
}

export interface Retained {
  what: string;
  /** Bytes per reader. */
  bytes: number;
  /** Objects per reader. */
  count: number;
}

/**
 * A field that tells apart objects of one constructor name from different libraries: three classes are called Socket
 * (node's net, engine.io's, socket.io's) and two WebSocket (ws's, engine.io's transport).
 */
const TELLING_FIELDS: [field: string, library: string][] = [
  ['nsp', 'socket.io'],
  ['transport', 'engine.io'],
  ['_writableState', 'node net'],
  ['_receiver', 'ws'],
  ['_doSend', 'engine.io transport'],
];

/** Retained bytes of the readers' memory by constructor, per reader, largest first. */
export function readersMemory(beforePath: string, afterPath: string, readers: number): { total: number; rows: Retained[]; fields: Retained[] } {
  const old = nodeIds(load(beforePath));
  const s = load(afterPath);
  const { node_fields: nf, edge_fields: ef, node_types: [nodeTypes], edge_types: [edgeTypes] } = s.snapshot.meta;
  const width = nf.length;
  const [TYPE, NAME, ID, SIZE, EDGES] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [ETYPE, ENAME, ETO] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
  const ewidth = ef.length;
  const weak = edgeTypes.indexOf('weak');
  const n = s.nodes.length / width;

  // Successors without weak edges, as offsets into one array.
  const start = new Uint32Array(n + 1);
  for (let k = 0, e = 0; k < n; k++) {
    start[k] = e;
    e += s.nodes[k * width + EDGES];
    start[k + 1] = e;
  }
  const succ = new Int32Array(start[n]);
  for (let k = 0; k < n; k++) {
    for (let j = start[k]; j < start[k + 1]; j++) {
      const e = j * ewidth;
      succ[j] = s.edges[e + ETYPE] === weak ? -1 : s.edges[e + ETO] / width;
    }
  }

  // Post-order from the root (node 0), iteratively.
  const post = new Int32Array(n).fill(-1);
  const order: number[] = [];
  const seen = new Uint8Array(n);
  const stack: number[] = [0];
  const cursor = new Uint32Array(n);
  seen[0] = 1;
  while (stack.length) {
    const v = stack[stack.length - 1];
    const j = start[v] + cursor[v];
    if (j < start[v + 1]) {
      cursor[v]++;
      const w = succ[j];
      if (w >= 0 && !seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    } else {
      stack.pop();
      post[v] = order.length;
      order.push(v);
    }
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const v of order) for (let j = start[v]; j < start[v + 1]; j++) if (succ[j] >= 0 && seen[succ[j]]) preds[succ[j]].push(v);

  // Dominators (Cooper, Harvey and Kennedy's iteration over reverse post-order).
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const meet = (a: number, b: number) => {
    while (a !== b) {
      while (post[a] < post[b]) a = idom[a];
      while (post[b] < post[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i];
      if (v === 0) continue;
      let d = -1;
      for (const p of preds[v]) if (idom[p] !== -1) d = d === -1 ? p : meet(p, d);
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(n);
  for (let k = 0; k < n; k++) retained[k] = s.nodes[k * width + SIZE];
  for (const v of order) if (v !== 0 && idom[v] >= 0) retained[idom[v]] += retained[v];

  const isNew = (k: number) => !old.has(s.nodes[k * width + ID]);
  const label = (k: number) => {
    const type = nodeTypes[s.nodes[k * width + TYPE]];
    const name = s.strings[s.nodes[k * width + NAME]];
    return type === 'object' || type === 'closure' ? `${name || '(anonymous)'}${type === 'closure' ? '()' : ''}` : `(${type}) ${name}`.slice(0, 60);
  };
  const fieldName = (j: number) => {
    const type = edgeTypes[s.edges[j * ewidth + ETYPE]];
    return type === 'element' || type === 'hidden' ? `[${type}]` : s.strings[s.edges[j * ewidth + ENAME]];
  };
  const fieldsOf = (k: number) => {
    const out = new Map<number, string>();
    for (let j = start[k]; j < start[k + 1]; j++) if (succ[j] >= 0 && !out.has(succ[j])) out.set(succ[j], fieldName(j));
    return out;
  };
  const rootLabel = (k: number) => {
    const names = new Set(fieldsOf(k).values());
    const library = TELLING_FIELDS.find(([field]) => names.has(field))?.[1];
    return library ? `${label(k)} (${library})` : label(k);
  };
  // The readers' roots, and what each dominates directly (for the per-field breakdown).
  const roots: number[] = [];
  for (let k = 0; k < n; k++) if (seen[k] && isNew(k) && idom[k] >= 0 && !isNew(idom[k])) roots.push(k);
  const isRoot = new Uint8Array(n);
  for (const k of roots) isRoot[k] = 1;
  const dominated = new Map<number, number[]>();
  for (let k = 0; k < n; k++) if (k !== 0 && seen[k] && idom[k] >= 0 && isRoot[idom[k]]) (dominated.get(idom[k]) ?? dominated.set(idom[k], []).get(idom[k])!).push(k);

  const add = (groups: Map<string, { bytes: number; count: number }>, key: string, bytes: number) => {
    const g = groups.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += bytes;
    g.count++;
    groups.set(key, g);
  };
  const groups = new Map<string, { bytes: number; count: number }>();
  const fields = new Map<string, { bytes: number; count: number }>();
  for (const k of roots) {
    const what = rootLabel(k);
    add(groups, what, retained[k]);
    add(fields, `${what} (itself)`, s.nodes[k * width + SIZE]);
    const via = fieldsOf(k);
    for (const child of dominated.get(k) ?? []) add(fields, `${what}.${via.get(child) ?? '(held deeper)'}`, retained[child]);
  }
  const perReader = (m: Map<string, { bytes: number; count: number }>) =>
    [...m].map(([what, g]) => ({ what, bytes: g.bytes / readers, count: g.count / readers })).sort((a, b) => b.bytes - a.bytes);
  const rows = perReader(groups);
  return { total: rows.reduce((a, r) => a + r.bytes, 0), rows, fields: perReader(fields) };
}
