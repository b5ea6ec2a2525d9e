/**
 * Snapshots of /proc for tree searches: one pass over every /proc/PID/stat, the spawn marker of each process (kept
 * across snapshots by pid, start time and command name, so an environment is read once per process, not per scan),
 * and shared snapshots: callers that ask at about the same time get one scan, always taken after all their requests.
 */

import { SPAWN_MARKER_ENV } from '../defaults.ts';
import { isDeadState, listPids, readEnvVarChecked, readStat, type ProcStat } from './proc.ts';

/** Every readable process at one moment. */
export interface ProcSnapshot {
  stats: Map<number, ProcStat>;
  /** ppid → pids of its children. */
  children: Map<number, number[]>;
  /** Live processes (neither init, kernel threads nor ourselves) carrying this spawn marker. */
  marked(marker: string): ProcStat[];
}

interface KnownMarker {
  starttime: number;
  /** The command name changes at execve, and with it possibly the environment: then the marker is read again. */
  comm: string;
  marker: string | undefined;
}

/** pid → its marker as last read; entries of pids gone or reused are dropped at each snapshot. */
const markers = new Map<number, KnownMarker>();

const counters = { scans: 0, environReads: 0 };

/** How many snapshots were taken and environments read since ringd started, and how many markers are cached now. */
export function scanCounters(): { scans: number; environReads: number; cachedMarkers: number } {
  return { ...counters, cachedMarkers: markers.size };
}

/** Init, kernel threads and ourselves: never a member of a tree. */
export function isSystemProcess(st: ProcStat): boolean {
  return st.pid <= 2 || st.ppid === 2 || st.pid === process.pid;
}

function markerOf(st: ProcStat): string | undefined {
  const known = markers.get(st.pid);
  if (known && known.starttime === st.starttime && known.comm === st.comm) return known.marker;
  counters.environReads++;
  const env = readEnvVarChecked(st.pid, SPAWN_MARKER_ENV);
  if (env.readable) markers.set(st.pid, { starttime: st.starttime, comm: st.comm, marker: env.value });
  else markers.delete(st.pid);
  return env.value;
}

function markerIndex(stats: Map<number, ProcStat>): Map<string, ProcStat[]> {
  const index = new Map<string, ProcStat[]>();
  for (const st of stats.values()) {
    if (isSystemProcess(st) || isDeadState(st.state)) continue;
    const marker = markerOf(st);
    if (marker === undefined || marker === '') continue;
    const list = index.get(marker);
    if (list) list.push(st);
    else index.set(marker, [st]);
  }
  return index;
}

/** Scan /proc now (synchronously). Environments are read only when a marker is first looked up. */
export function takeSnapshot(): ProcSnapshot {
  counters.scans++;
  const stats = new Map<number, ProcStat>();
  const children = new Map<number, number[]>();
  for (const pid of listPids()) {
    const st = readStat(pid);
    if (!st) continue;
    stats.set(pid, st);
    const list = children.get(st.ppid);
    if (list) list.push(pid);
    else children.set(st.ppid, [pid]);
  }
  for (const [pid, known] of markers) if (stats.get(pid)?.starttime !== known.starttime) markers.delete(pid);
  let index: Map<string, ProcStat[]> | undefined;
  return {
    stats,
    children,
    marked(marker) {
      index ??= markerIndex(stats);
      return index.get(marker) ?? [];
    },
  };
}

let pending: Promise<ProcSnapshot> | null = null;

/** Pids ringd spawned (spawnedWithMarker) that Node has not reported exited: ringd's own children, never orphans. */
const spawned = new Set<number>();

/** Whether pid is a process ringd spawned and Node has not reaped (a pid is not reused before it is reaped). */
export function isSpawned(pid: number): boolean {
  return spawned.has(pid);
}

/** Node reported pid exited (and reaped it): the pid may now be reused by anybody, and its marker is forgotten. */
export function spawnedExited(pid: number): void {
  spawned.delete(pid);
  markers.delete(pid);
}

/**
 * A snapshot taken after this call: joins the one already scheduled (setImmediate) if any, else schedules it. A
 * snapshot is never handed to a request made after it was taken, so it can miss nothing that happened before.
 */
export function sharedSnapshot(): Promise<ProcSnapshot> {
  pending ??= new Promise((resolve, reject) => {
    setImmediate(() => {
      pending = null;
      try {
        resolve(takeSnapshot());
      } catch (e) {
        reject(e);
      }
    });
  });
  return pending;
}

/**
 * Records the marker ringd gave a process it has just spawned, sparing one environment read. Returns the process's
 * start time, or undefined when it is gone already.
 */
export function spawnedWithMarker(pid: number, marker: string): number | undefined {
  spawned.add(pid);
  const st = readStat(pid);
  if (st && !isDeadState(st.state)) markers.set(pid, { starttime: st.starttime, comm: st.comm, marker });
  return st?.starttime;
}
