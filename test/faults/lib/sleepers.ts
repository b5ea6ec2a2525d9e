// The ground truth of the fault tests: which workers /proc shows, and which an inventory claims.
import { readdirSync, readFileSync } from 'node:fs';
import type { Inventory } from '../../../protocol/fleet/messages.ts';
import { pidAlive, procStat } from '../../support/proc.ts';

/** Live processes running exactly `sleep <n>`, with their parent. */
export function sleepers(n: string): Array<{ pid: number; ppid: number }> {
  const out: Array<{ pid: number; ppid: number }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'latin1') !== `sleep\0${n}\0`) continue;
    } catch {
      continue;
    }
    const st = procStat(Number(e));
    if (st && pidAlive(Number(e))) out.push({ pid: Number(e), ppid: st.ppid });
  }
  return out;
}

/** The pids an inventory says its first watcher runs, sorted. */
export const runningPids = (inv: Inventory | null | undefined): number[] =>
  (inv?.watchers[0]?.processes ?? []).map((p) => p.pid).filter((p): p is number => p !== null).sort();
