/**
 * The rows of each list screen, derived from the fleet state and the screen's filter and sort:
 * hosts, watchers across the fleet, the watchers of a host, the processes of a watcher.
 */
import type { ProcessStats } from '../../protocol/fleet/payloads.ts';
import type { AgentState } from '../../protocol/states.ts';
import { slotKey, type FleetState, type HostRec, type ProcessView, type WatcherInfo } from '../data/model.ts';
import type { Frame, Screen } from './state.ts';

export interface HostRow { kind: 'host'; key: string; search: string; host: HostRec; running: number }
export interface FleetWatcherRow {
  kind: 'fwatcher'; key: string; search: string; name: string; hosts: readonly string[];
  states: string; running: number; target: number; restarts: number; cpu: number | null; rss: number | null; spark: readonly number[];
}
export interface WatcherRow {
  kind: 'watcher'; key: string; search: string; host: string; info: WatcherInfo;
  running: number; restarts: number; cpu: number | null; rss: number | null; spark: readonly number[];
}
export interface ProcRow { kind: 'proc'; key: string; search: string; host: string; watcher: string; p: ProcessView; stats: ProcessStats | undefined; restarts: number }
export type Row = HostRow | FleetWatcherRow | WatcherRow | ProcRow;

type SortDef<R> = { name: string; compare: (a: R, b: R) => number };
const STATE_RANK: Record<AgentState, number> = { lost: 0, suspect: 1, left: 2, discovered: 3, alive: 4 };
const byKey = (a: Row, b: Row) => a.key.localeCompare(b.key, undefined, { numeric: true });
const desc = <R>(f: (r: R) => number | null) => (a: R, b: R) => (f(b) ?? -1) - (f(a) ?? -1);

const HOST_SORTS: SortDef<HostRow>[] = [
  { name: 'name', compare: byKey },
  { name: 'state', compare: (a, b) => STATE_RANK[a.host.state] - STATE_RANK[b.host.state] || byKey(a, b) },
  { name: 'load', compare: desc((r) => r.host.load?.[0] ?? null) },
];
const WATCHER_SORTS: SortDef<FleetWatcherRow | WatcherRow>[] = [
  { name: 'name', compare: byKey },
  { name: 'cpu', compare: desc((r) => r.cpu) },
  { name: 'memory', compare: desc((r) => r.rss) },
  { name: 'restarts', compare: desc((r) => r.restarts) },
];
const PROC_SORTS: SortDef<ProcRow>[] = [
  { name: 'wid', compare: (a, b) => a.host.localeCompare(b.host) || a.p.wid - b.p.wid },
  { name: 'cpu', compare: desc((r) => r.stats?.cpu ?? null) },
  { name: 'memory', compare: desc((r) => r.stats?.rss ?? null) },
  { name: 'uptime', compare: desc((r) => r.p.started_at === null ? null : -r.p.started_at) },
];

/** Names of the sort orders of a screen (empty for screens without a list). */
export function sortNames(s: Screen): string[] {
  const defs = s.kind === 'fleet' ? (s.tab === 'hosts' ? HOST_SORTS : WATCHER_SORTS) : s.kind === 'host' ? WATCHER_SORTS : s.kind === 'watcher' ? PROC_SORTS : [];
  return defs.map((d) => d.name);
}

const running = (w: WatcherInfo) => w.processes.filter((p) => p.state === 'running').length;
const restartsOf = (h: HostRec, w: string) => [...h.restarts].reduce((n, [k, v]) => (k.startsWith(`${w}/`) ? n + v : n), 0);

/** Element-wise sum of series aligned on their newest value. */
function sumSeries(series: readonly (readonly number[])[]): number[] {
  const len = Math.max(0, ...series.map((s) => s.length));
  const out = new Array<number>(len).fill(0);
  for (const s of series) s.forEach((v, i) => (out[len - s.length + i] += v));
  return out;
}

const hostList = (f: FleetState): HostRec[] => [...f.hosts.values()];

/** Hosts whose inventory has `watcher`, in id order. */
export function hostsWith(f: FleetState, watcher: string): string[] {
  return hostList(f).filter((h) => h.watchers?.some((w) => w.name === watcher)).map((h) => h.id).sort();
}

function watcherRow(h: HostRec, w: WatcherInfo): WatcherRow {
  const t = h.totals.get(w.name);
  return {
    kind: 'watcher', key: w.name, search: `${w.name} ${w.state}`, host: h.id, info: w, running: running(w),
    restarts: restartsOf(h, w.name), cpu: t?.cpu ?? null, rss: t?.rss ?? null, spark: h.spark.get(w.name)?.values() ?? [],
  };
}

function fleetWatcherRows(f: FleetState): FleetWatcherRow[] {
  const byName = new Map<string, WatcherRow[]>();
  for (const h of hostList(f)) for (const w of h.watchers ?? []) byName.set(w.name, [...(byName.get(w.name) ?? []), watcherRow(h, w)]);
  return [...byName].map(([name, rows]) => {
    const states = new Map<string, number>();
    for (const r of rows) states.set(r.info.state, (states.get(r.info.state) ?? 0) + 1);
    const sum = (k: 'cpu' | 'rss') => (rows.some((r) => r[k] !== null) ? rows.reduce((n, r) => n + (r[k] ?? 0), 0) : null);
    return {
      kind: 'fwatcher', key: name, search: `${name} ${[...states.keys()].join(' ')}`, name, hosts: rows.map((r) => r.host).sort(),
      states: [...states].map(([s, n]) => (states.size > 1 ? `${s}×${n}` : s)).join(' '), running: rows.reduce((n, r) => n + r.running, 0),
      target: rows.reduce((n, r) => n + r.info.numprocesses, 0), restarts: rows.reduce((n, r) => n + r.restarts, 0),
      cpu: sum('cpu'), rss: sum('rss'), spark: sumSeries(rows.map((r) => r.spark)),
    };
  });
}

function procRows(f: FleetState, host: string | null, watcher: string): ProcRow[] {
  const hosts = host === null ? hostList(f) : [f.hosts.get(host)].filter((h): h is HostRec => h !== undefined);
  return hosts.flatMap((h) => (h.watchers?.find((w) => w.name === watcher)?.processes ?? []).map((p): ProcRow => ({
    kind: 'proc', key: `${h.id}/${p.wid}`, search: `${h.id} ${p.pid ?? ''} ${p.state} ${p.last_exit ?? ''}`, host: h.id, watcher, p,
    stats: p.pid === null ? undefined : h.procStats.get(p.pid), restarts: h.restarts.get(slotKey(watcher, p.wid)) ?? 0,
  })));
}

function unsorted(f: FleetState, s: Screen): Row[] {
  switch (s.kind) {
    case 'fleet':
      return s.tab === 'hosts'
        ? hostList(f).map((h): HostRow => ({ kind: 'host', key: h.id, search: `${h.id} ${h.state} ${Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(' ')} ${h.version ?? ''}`, host: h, running: h.states.running ?? 0 }))
        : fleetWatcherRows(f);
    case 'host': {
      const h = f.hosts.get(s.host);
      return h ? (h.watchers ?? []).map((w) => watcherRow(h, w)) : [];
    }
    case 'watcher': return procRows(f, s.host, s.watcher);
    case 'logs': case 'output': return [];
  }
}

/** The rows of the frame's screen, filtered and sorted. */
export function rowsOf(f: FleetState, fr: Frame): Row[] {
  const needle = fr.filter.toLowerCase();
  const rows = unsorted(f, fr.screen).filter((r) => !needle || r.search.toLowerCase().includes(needle));
  const s = fr.screen;
  const defs = (s.kind === 'fleet' ? (s.tab === 'hosts' ? HOST_SORTS : WATCHER_SORTS) : s.kind === 'host' ? WATCHER_SORTS : PROC_SORTS) as SortDef<Row>[];
  const def = defs[fr.sort % defs.length];
  return rows.sort((a, b) => def.compare(a, b) || byKey(a, b));
}
