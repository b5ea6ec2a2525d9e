// Processes a fuzzed request may leave running on purpose: `rm --nostop` removes a watcher and leaves its processes
// alive, unsupervised (as Circus does). In-process suites kill them at the end, or their pipes keep the test alive.
import { childrenOf } from '../../../agent/supervise/proc.ts';

/** SIGKILLs every child of this process still alive; returns their pids. */
export function killLeftovers(): number[] {
  const pids = childrenOf(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}
