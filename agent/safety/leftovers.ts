/**
 * Cleans up what a previous ringd left behind (after a SIGKILL or a crash): every recorded child
 * whose pid AND start time still match, with its tree, and every process still carrying that
 * run's spawn marker. Refuses to touch anything while the recorded ringd is still alive.
 */
import { SPAWN_MARKER_ENV } from '../defaults.ts';
import { listPids, readEnvVar, readStat } from '../supervise/proc.ts';
import { killTreeAndWait } from '../supervise/tree.ts';
import { readState, type AgentState } from './state-file.ts';

const LEFTOVER_KILL_TIMEOUT_MS = 5000;

export class AlreadyRunningError extends Error {
  constructor(readonly pid: number, file: string) {
    super(`another ringd (pid ${pid}) is running with state file ${file}`);
  }
}

/** Is the ringd recorded in this state still running (same pid and same start time)? */
function recordedAgentAlive(state: AgentState): boolean {
  if (state.ringd.pid === process.pid) return false;
  const st = readStat(state.ringd.pid);
  return st !== undefined && st.starttime === state.ringd.starttime && st.state !== 'Z';
}

/** Pids that carry a marker of the given run: `<boot id>.<n>`. */
function markedBy(bootId: string): number[] {
  const prefix = `${bootId}.`;
  return listPids().filter((pid) => pid !== process.pid && readEnvVar(pid, SPAWN_MARKER_ENV)?.startsWith(prefix));
}

export interface CleanupReport {
  killed: number[];
  skipped: { pid: number; why: string }[];
}

/** Kills every leftover of the run recorded in `file`; throws AlreadyRunningError when that run is alive. */
export async function cleanupLeftovers(file: string, opts: { checkAlive?: boolean } = {}): Promise<CleanupReport> {
  const state = readState(file);
  const report: CleanupReport = { killed: [], skipped: [] };
  if (!state) return report;
  if ((opts.checkAlive ?? true) && recordedAgentAlive(state)) throw new AlreadyRunningError(state.ringd.pid, file);
  for (const c of state.children) {
    const st = readStat(c.pid);
    if (!st) continue;
    if (st.starttime !== c.starttime) {
      report.skipped.push({ pid: c.pid, why: 'pid reused by another process (start time differs)' });
      continue;
    }
    const { killed } = await killTreeAndWait(
      { pid: c.pid, pgid: c.pid, sid: c.pid, marker: c.marker, startTime: c.starttime },
      { timeoutMs: LEFTOVER_KILL_TIMEOUT_MS });
    report.killed.push(...killed);
  }
  for (const pid of markedBy(state.boot_id)) {
    const { killed } = await killTreeAndWait({ pid }, { timeoutMs: LEFTOVER_KILL_TIMEOUT_MS });
    report.killed.push(...killed);
  }
  report.killed = [...new Set(report.killed)].sort((a, b) => a - b);
  return report;
}
