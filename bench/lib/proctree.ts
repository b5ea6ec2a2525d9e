/**
 * Ground truth from /proc for the benchmarks: a daemon's process tree split into workload processes
 * (those that have exec'd the workload binary) and the daemon's own processes (everything else:
 * the daemon, its helpers, a process between fork and exec), with their CPU time and RSS.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { childrenOf, CLK_TCK, readStat, startTimeMs } from '../../agent/supervise/proc.ts';

/** How a workload process is recognised: its /proc/PID/exe, and a word its command line must hold (if any). */
export interface WorkloadMatch {
  /** Real path of the workload binary (e.g. /usr/bin/sleep). */
  exe: string;
  /** A word of the command line that tells this workload apart from other uses of the binary. */
  arg?: string;
}

export interface TreeScan {
  /** Workload processes of the tree (exec'd), by pid. */
  workload: number[];
  /** The daemon's own processes: the roots and every non-workload descendant. */
  daemon: number[];
}

const exeOf = (pid: number): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined; // gone, a zombie, or a kernel thread
  }
};

const cmdlineHas = (pid: number, word: string): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(word);
  } catch {
    return false;
  }
};

/** True when pid runs the workload (has exec'd its binary); zombies and vanished pids are not running. */
export function isWorkload(pid: number, m: WorkloadMatch): boolean {
  return exeOf(pid) === m.exe && (m.arg === undefined || cmdlineHas(pid, m.arg));
}

/**
 * Walks the tree below roots. Workload processes are leaves for this walk: what they fork is theirs.
 * With `known` (pids already seen as workload; a process never un-execs) a poll costs one children
 * read per daemon process plus one readlink per new pid, but a known pid that became a zombie still
 * counts until its parent reaps it: pass no cache where that matters (e.g. "none running").
 */
export function scanTree(roots: number[], m: WorkloadMatch, known?: Set<number>): TreeScan {
  const workload: number[] = [];
  const daemon: number[] = [];
  const rootSet = new Set(roots.filter((p) => p > 0));
  const todo = [...rootSet];
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (!rootSet.has(pid)) {
      if (known?.has(pid) || isWorkload(pid, m)) {
        known?.add(pid);
        workload.push(pid);
        continue;
      }
      if (exeOf(pid) === undefined) continue; // a zombie, or gone
    }
    daemon.push(pid);
    for (const c of childrenOf(pid)) todo.push(c);
  }
  if (known) for (const p of known) if (!seen.has(p)) known.delete(p);
  return { workload, daemon };
}

/** utime + stime of the processes, in ms (those that vanished count 0). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const p of pids) {
    const st = readStat(p);
    if (st) ticks += st.utime + st.stime;
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Sum of the processes' resident set sizes, in MB. */
export function rssMb(pids: number[]): number {
  let bytes = 0;
  for (const p of pids) bytes += readStat(p)?.rss ?? 0;
  return bytes / 1024 / 1024;
}

/** How long pid has been running, in ms (Infinity when unknown, so it never looks young). */
export function ageMs(pid: number): number {
  const st = readStat(pid);
  return st ? Date.now() - startTimeMs(st) : Number.POSITIVE_INFINITY;
}


/** CPU time of processes that come and go: remembers the last reading of each pid, so one that exits still counts. */
export class CpuTracker {
  private readonly last = new Map<number, number>();
  private readonly base = new Map<number, number>();

  /** Reads the pids' CPU time now. */
  observe(pids: number[]): void {
    for (const p of pids) {
      const ms = cpuMs([p]);
      if (ms > 0 || !this.last.has(p)) this.last.set(p, Math.max(ms, this.last.get(p) ?? 0));
    }
  }

  /** From now on, count only CPU time used after this call (by the pids observed so far and new ones). */
  rebase(): void {
    this.base.clear();
    for (const [p, ms] of this.last) this.base.set(p, ms);
  }

  /** CPU time of every pid observed, in ms, since the start (or the last rebase). */
  totalMs(): number {
    let sum = 0;
    for (const [p, ms] of this.last) sum += ms - (this.base.get(p) ?? 0);
    return sum;
  }
}
