/** Find, signal and kill the whole process tree of a spawned child (descendants, group/session members, marked escapees). */

import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../clock.ts';
import { childrenOf, isDeadState, readStat, type ProcStat } from './proc.ts';
import { isChildSubreaper } from './native.ts';
import { isSpawned, isSystemProcess, sharedSnapshot, takeSnapshot, type ProcSnapshot } from './scan.ts';

/** Identifies the tree of one spawned process. */
export interface TreeQuery {
  pid: number;
  pgid?: number;
  sid?: number;
  /** Value of SPAWN_MARKER_ENV (RING_SPAWN_ID) given to the spawned process. */
  marker?: string;
  /**
   * Optional guard against pid reuse: the root's stat.starttime (clock ticks since boot). When set, the root must have
   * exactly this start time, and any other member must have started at or after it.
   */
  startTime?: number;
}

/** The members of one tree in a snapshot, with their stats (zombies, pid 1 and ourselves excluded). */
export function treeIn(snap: ProcSnapshot, q: TreeQuery): Map<number, ProcStat> {
  const { stats, children } = snap;
  const self = stats.get(process.pid);
  // Never match our own group or session: that would take ringd (and its shell) down with the child.
  const pgid = q.pgid !== undefined && q.pgid > 1 && q.pgid !== self?.pgid ? q.pgid : undefined;
  const sid = q.sid !== undefined && q.sid > 1 && q.sid !== self?.sid ? q.sid : undefined;

  const excluded = (st: ProcStat): boolean => isSystemProcess(st) ||
    (q.startTime !== undefined && (st.pid === q.pid ? st.starttime !== q.startTime : st.starttime < q.startTime));

  const inTree = new Set<number>();
  const queue: number[] = [];
  const add = (pid: number): void => {
    const st = stats.get(pid);
    if (!st || inTree.has(pid) || excluded(st)) return;
    inTree.add(pid);
    queue.push(pid);
  };
  const drain = (): void => {
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      for (const c of children.get(pid) ?? []) add(c);
    }
  };

  add(q.pid);
  if (pgid !== undefined || sid !== undefined) {
    for (const st of stats.values()) if (st.pgid === pgid || st.sid === sid) add(st.pid);
  }
  drain();
  if (q.marker !== undefined && q.marker !== '') {
    for (const st of snap.marked(q.marker)) add(st.pid);
    drain();
  }

  const live = new Map<number, ProcStat>();
  for (const pid of inTree) {
    const st = stats.get(pid) as ProcStat;
    if (!isDeadState(st.state)) live.set(pid, st);
  }
  return live;
}

/** Like findTree, but returns the stat of every live member. */
export function scanTree(q: TreeQuery): Map<number, ProcStat> {
  return treeIn(takeSnapshot(), q);
}

/** scanTree on a shared snapshot, taken after this call (see sharedSnapshot): for callers that can wait a loop turn. */
export async function scanTreeShared(q: TreeQuery): Promise<Map<number, ProcStat>> {
  return treeIn(await sharedSnapshot(), q);
}

const sortedPids = (members: Map<number, ProcStat>): number[] => [...members.keys()].sort((a, b) => a - b);

/** Every live pid of the tree of a spawned process (one scan over /proc; zombies, pid 1 and ourselves excluded). */
export function findTree(q: TreeQuery): number[] {
  return sortedPids(scanTree(q));
}

/** findTree on a shared snapshot, taken after this call. */
export async function findTreeShared(q: TreeQuery): Promise<number[]> {
  return sortedPids(await scanTreeShared(q));
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/**
 * Signal the group first (kill(-pgid)) when given, then each pid. ESRCH is ignored; any other error is thrown after
 * every target was tried. pid/pgid ≤ 1, our own pid and our own group are refused silently.
 */
export function signalTree(pids: number[], signal: number | NodeJS.Signals, pgid?: number): void {
  let firstError: unknown;
  const send = (target: number): void => {
    try {
      process.kill(target, signal);
    } catch (e) {
      if (!isErrno(e, 'ESRCH') && firstError === undefined) firstError = e;
    }
  };
  if (pgid !== undefined && Number.isInteger(pgid) && pgid > 1 && pgid !== readStat(process.pid)?.pgid) send(-pgid);
  for (const pid of pids) if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) send(pid);
  if (firstError !== undefined) throw firstError;
}

/**
 * Whether the tree of an exited process surely left nothing behind, from a few reads instead of a scan of /proc. ringd
 * is a child subreaper, so any member still alive is in the tree's process group, or a child of ringd (orphans are
 * reparented to it), or below one of those: with the group empty and every child of ringd either spawned by ringd or
 * older than the tree, none is left. False means "maybe": scan.
 */
export function surelyGone(q: TreeQuery): boolean {
  if (!isChildSubreaper() || q.pgid === undefined || q.pgid <= 1 || q.startTime === undefined) return false;
  try {
    process.kill(-q.pgid, 0);
    return false;
  } catch (e) {
    if (!isErrno(e, 'ESRCH')) return false;
  }
  for (const pid of childrenOf(process.pid)) {
    if (isSpawned(pid)) continue;
    const st = readStat(pid);
    if (st && !isDeadState(st.state) && st.starttime >= q.startTime) return false;
  }
  return true;
}

/** Options of killTreeAndWait. */
export interface KillTreeOptions {
  /** Default SIGKILL (9). */
  signal?: number;
  timeoutMs: number;
  /** Default 20 ms. */
  pollMs?: number;
}

/** Repeatedly find and signal the tree until nothing is left or the timeout passes (on shared snapshots). */
export async function killTreeAndWait(
  q: TreeQuery,
  opts: KillTreeOptions,
): Promise<{ killed: number[]; left: number[] }> {
  const signal = opts.signal ?? 9;
  const pollMs = Math.max(1, opts.pollMs ?? 20);
  const deadline = monotonicMs() + opts.timeoutMs;
  const signalled = new Set<number>();
  let members = await scanTreeShared(q);
  while (members.size > 0) {
    for (const pid of members.keys()) signalled.add(pid);
    // Signal the group only while it still has members: an empty group's id may be recycled.
    const groupAlive = q.pgid !== undefined && [...members.values()].some((st) => st.pgid === q.pgid);
    try {
      signalTree([...members.keys()], signal, groupAlive ? q.pgid : undefined);
    } catch {
      // EPERM and the like: what survives is reported in `left`
    }
    const remaining = deadline - monotonicMs();
    if (remaining > 0) await sleep(Math.min(pollMs, remaining));
    members = await scanTreeShared(q);
    if (remaining <= 0) break;
  }
  const left = [...members.keys()];
  const leftSet = new Set(left);
  const killed = [...signalled].filter((pid) => !leftSet.has(pid)).sort((a, b) => a - b);
  return { killed, left: left.sort((a, b) => a - b) };
}
