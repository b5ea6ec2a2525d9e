/** The columns of every list and how each row fills them (colours by state, figures formatted, sparklines). */
import type { SocketStatsView } from '../../protocol/fleet/payloads.ts';
import type { AgentState, ProcessState, WatcherState } from '../../protocol/states.ts';
import { SPARK_SAMPLES } from '../defaults.ts';
import { bytes, duration, labels, load, percent, sparkline } from '../format.ts';
import type { FleetWatcherRow, HostRow, ProcRow, WatcherRow } from '../ui/rows.ts';
import type { Cell, Column } from './table.tsx';

type State = AgentState | ProcessState | WatcherState;
const COLORS: Record<State, string> = {
  alive: 'green', suspect: 'yellow', lost: 'red', left: 'gray', discovered: 'blue',
  running: 'green', active: 'green', starting: 'yellow', stopping: 'yellow', backoff: 'yellow', stopped: 'gray', fatal: 'red',
};
const state = (s: State): Cell => ({ text: s, color: COLORS[s] });
const num = (n: number): Cell => ({ text: String(n) });
const spark = (values: readonly number[]): Cell => ({ text: values.length ? sparkline(values, SPARK_SAMPLES) : '-', color: 'cyan', tail: true });
const restarts = (n: number): Cell => ({ text: String(n), color: n > 0 ? 'yellow' : undefined });

export const HOST_COLUMNS: Column[] = [
  { title: 'HOST', width: 10, grow: 1, priority: 0 },
  { title: 'STATE', width: 9, priority: 0 },
  { title: 'LOAD', width: 5, align: 'right', priority: 0 },
  { title: 'VERSION', width: 7, priority: 1 },
  { title: 'W', width: 3, align: 'right', priority: 0 },
  { title: 'PROCS', width: 7, align: 'right', priority: 0 },
  { title: 'PROBLEMS', width: 14, grow: 1, priority: 1 },
  { title: 'CPU%', width: 6, align: 'right', priority: 3 },
  { title: 'RSS', width: 6, align: 'right', priority: 3 },
  { title: 'LABELS', width: 12, grow: 2, priority: 2 },
];

export function hostCells(r: HostRow): Cell[] {
  const h = r.host;
  const slots = Object.values(h.states).reduce((n, x) => n + (x ?? 0), 0);
  const others = Object.entries(h.states).filter(([s, n]) => s !== 'running' && n).map(([s, n]) => `${n} ${s}`).join(' ');
  const problems: Cell = h.state !== 'alive' && h.reason ? { text: h.reason, color: COLORS[h.state] } : others ? { text: others, color: 'yellow' } : { text: '-', dim: true };
  const totals = [...h.totals.values()];
  const sum = (k: 'cpu' | 'rss') => (totals.length ? totals.reduce((n, t) => n + t[k], 0) : null);
  return [
    { text: h.id }, state(h.state), { text: load(h.load) }, { text: h.version ?? '-', dim: true }, num(h.watcherCount),
    { text: `${r.running}/${slots}` }, problems,
    { text: percent(sum('cpu')) }, { text: bytes(sum('rss')) }, { text: labels(h.labels), dim: true },
  ];
}

export const FLEET_WATCHER_COLUMNS: Column[] = [
  { title: 'WATCHER', width: 14, grow: 1, priority: 0 },
  { title: 'HOSTS', width: 5, align: 'right', priority: 0 },
  { title: 'STATE', width: 10, grow: 1, priority: 0 },
  { title: 'PROCS', width: 9, align: 'right', priority: 0 },
  { title: 'RESTARTS', width: 8, align: 'right', priority: 1 },
  { title: 'CPU%', width: 6, align: 'right', priority: 0 },
  { title: 'RSS', width: 6, align: 'right', priority: 1 },
  { title: 'CPU HISTORY', width: 11, grow: 2, priority: 2 },
];

export function fleetWatcherCells(r: FleetWatcherRow): Cell[] {
  const color = r.states === 'active' ? 'green' : r.states.includes('fatal') ? 'red' : 'yellow';
  return [
    { text: r.name }, num(r.hosts.length), { text: r.states, color }, { text: `${r.running}/${r.target}`, color: r.running < r.target ? 'yellow' : undefined },
    restarts(r.restarts), { text: percent(r.cpu) }, { text: bytes(r.rss) }, spark(r.spark),
  ];
}

export const WATCHER_COLUMNS: Column[] = [
  { title: 'WATCHER', width: 14, grow: 1, priority: 0 },
  { title: 'STATE', width: 9, priority: 0 },
  { title: 'PROCS', width: 7, align: 'right', priority: 0 },
  { title: 'RESTARTS', width: 8, align: 'right', priority: 1 },
  { title: 'CPU%', width: 6, align: 'right', priority: 0 },
  { title: 'RSS', width: 6, align: 'right', priority: 0 },
  { title: 'CPU HISTORY', width: 12, grow: 2, priority: 1 },
];

export function watcherCells(r: WatcherRow): Cell[] {
  return [
    { text: r.key }, state(r.info.state), { text: `${r.running}/${r.info.numprocesses}`, color: r.running < r.info.numprocesses ? 'yellow' : undefined },
    restarts(r.restarts), { text: percent(r.cpu) }, { text: bytes(r.rss) }, spark(r.spark),
  ];
}

const PROC_COLUMNS: Column[] = [
  { title: 'WID', width: 4, align: 'right', priority: 0 },
  { title: 'PID', width: 8, align: 'right', priority: 0 },
  { title: 'STATE', width: 9, priority: 0 },
  { title: 'UPTIME', width: 7, align: 'right', priority: 0 },
  { title: 'CPU%', width: 6, align: 'right', priority: 0 },
  { title: 'RSS', width: 6, align: 'right', priority: 0 },
  { title: 'FDS', width: 4, align: 'right', priority: 2 },
  { title: 'RESTARTS', width: 8, align: 'right', priority: 1 },
  { title: 'LAST EXIT', width: 14, grow: 1, priority: 1 },
];
const HOST_COLUMN: Column = { title: 'HOST', width: 10, grow: 1, priority: 0 };

/** Processes of a watcher; with a HOST column when they come from several hosts. */
export const procColumns = (manyHosts: boolean): Column[] => (manyHosts ? [HOST_COLUMN, ...PROC_COLUMNS] : PROC_COLUMNS);

export function procCells(r: ProcRow, manyHosts: boolean, now: number): Cell[] {
  const p = r.p;
  const up = p.started_at !== null && p.pid !== null ? (now - p.started_at) / 1000 : null;
  const exit = p.last_exit ?? '-';
  const cells: Cell[] = [
    num(p.wid), { text: p.pid === null ? '-' : String(p.pid) }, state(p.state), { text: duration(up) },
    { text: percent(r.stats?.cpu) }, { text: bytes(r.stats?.rss) }, { text: r.stats?.fds === null || r.stats?.fds === undefined ? '-' : String(r.stats.fds) },
    restarts(r.restarts), { text: exit, color: /^exited 0$/.test(exit) || exit === '-' ? undefined : 'yellow', dim: exit === '-' },
  ];
  return manyHosts ? [{ text: r.host }, ...cells] : cells;
}

export const SOCKET_COLUMNS: Column[] = [
  { title: 'SOCKET', width: 12, grow: 1, priority: 0 },
  { title: 'ADDRESS', width: 21, grow: 2, priority: 0 },
  { title: 'CONNECTIONS', width: 11, align: 'right', priority: 0 },
  { title: 'ACCEPT QUEUE', width: 12, align: 'right', priority: 0 },
  { title: 'BACKLOG', width: 7, align: 'right', priority: 1 },
];

export function socketCells(s: SocketStatsView): Cell[] {
  return [{ text: s.name }, { text: s.address }, num(s.connections), { text: String(s.queued), color: s.queued > 0 ? 'yellow' : undefined }, num(s.backlog)];
}
