// Samples of one process from /proc for the soak: RSS, CPU since the previous sample, open fds, threads, zombie children.
import { readdirSync, readFileSync } from 'node:fs';
import { childrenOf, CLK_TCK, readStat } from '../../agent/supervise/proc.ts';

const PIPES_PER_CHILD = 2;

export interface Sample {
  t: number;
  rssMb: number;
  cpuPct: number;
  fds: number;
  /** fds not explained by children (each child's stdout and stderr pipes): the leak indicator. */
  extraFds: number;
  threads: number;
  /** Zombie children seen in this sample and the previous one too (a child that just exited is a zombie for a moment). */
  zombies: number;
}

/** Samples pid on every call; CPU is measured since the previous call. */
export class Sampler {
  private last: { at: number; ticks: number } | null = null;
  private zombiesBefore = new Set<number>();

  constructor(readonly pid: number) {}

  sample(t: number): Sample | null {
    const stat = readStat(this.pid);
    if (!stat) return null;
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    const ticks = stat.utime + stat.stime;
    const at = performance.now();
    const cpuPct = this.last ? (((ticks - this.last.ticks) / CLK_TCK) * 1000 * 100) / (at - this.last.at) : 0;
    this.last = { at, ticks };
    const children = childrenOf(this.pid).map((p) => ({ pid: p, state: readStat(p)?.state }));
    const zombieNow = new Set(children.filter((c) => c.state === 'Z').map((c) => c.pid));
    const zombies = [...zombieNow].filter((p) => this.zombiesBefore.has(p)).length;
    this.zombiesBefore = zombieNow;
    const fds = readdirSync(`/proc/${this.pid}/fd`).length;
    return { t, rssMb: field('VmRSS') / 1024, cpuPct, fds, extraFds: fds - PIPES_PER_CHILD * (children.length - zombieNow.size), threads: field('Threads'), zombies };
  }
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
