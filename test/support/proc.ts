// Test-side process checks through /proc; zombies count as dead (pid 1 here never reaps them).
import { readFileSync } from 'node:fs';
import { waitFor } from './wait.ts';
import { childrenOf, readStat } from '../../agent/supervise/proc.ts';
import { OrphanReaper } from '../../agent/safety/orphans.ts';

export interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
}

/** Parses /proc/<pid>/stat; undefined when the process does not exist. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const [state = '?', ppid, pgrp, session] = text.slice(close + 2).split(' ');
  const comm = text.slice(text.indexOf('(') + 1, close);
  return { comm, state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}

/** True while pid exists and is neither a zombie (Z) nor dead (X). */
export function pidAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Resolves once none of pids is alive; the timeout error names the survivors. */
export async function waitGone(pids: number[], timeoutMs = 15_000): Promise<void> {
  let alive: number[] = [];
  await waitFor(
    () => {
      alive = pids.filter(pidAlive);
      return alive.length === 0;
    },
    { timeoutMs, what: `pids ${pids.join(',')} to be gone` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; still alive: ${alive.join(',')}`);
  });
}

/** Sends sig to pid (or to a process group when pid < 0), ignoring "no such process". */
export function killQuietly(pid: number | undefined, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined || pid === 0) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** For a test process that made itself a subreaper: reap orphaned zombies until none are left. */
export async function reapOrphanZombies(known: Set<number>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const reaper = new OrphanReaper(() => known, 0);
  for (;;) {
    reaper.sweep(known); // a zombie goes at its second sighting
    const zombies = childrenOf(process.pid).filter((p) => !known.has(p) && readStat(p)?.state === 'Z');
    if (zombies.length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
