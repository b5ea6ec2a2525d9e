/** Process helpers shared by the peers: spawning a daemon with its output kept, stopping it, killing leftovers. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readStat } from '../../agent/supervise/proc.ts';
import { isWorkload, scanTree, type WorkloadMatch } from '../lib/proctree.ts';
import { waitFor } from '../../test/support/wait.ts';

/** Output kept per daemon (the tail), for error messages. */
const MAX_OUTPUT_CHARS = 64 * 1024;
/** How long a daemon gets to stop on SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 20_000;

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Spawns a program with stdout and stderr collected (stdin closed). */
export function startDaemon(file: string, args: string[], opts: SpawnOptions = {}): Daemon {
  const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > MAX_OUTPUT_CHARS) out = out.slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => (live.delete(child), resolve(code)));
    child.once('error', (err) => (out += `${file}: ${err.message}\n`, live.delete(child), resolve(null)));
  });
  return { child, output: () => out, exited };
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process exited. */
export async function stopDaemon(d: Daemon, graceMs = STOP_GRACE_MS): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  const timer = setTimeout(() => d.child.kill('SIGKILL'), graceMs);
  await d.exited;
  clearTimeout(timer);
}

/** True while pid exists and is not a zombie. */
export function running(pid: number): boolean {
  const st = readStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

/** SIGKILLs every pid given, ignoring those already gone. */
export function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Waits until pid is gone (or a zombie nobody reaps, as a daemon reparented to a non-reaping init). */
export function waitGone(pid: number, what: string, timeoutMs = STOP_GRACE_MS): Promise<true> {
  return waitFor(() => !running(pid), { what, timeoutMs, intervalMs: 20 });
}

/**
 * Stops a peer without ever leaving its workload behind: notes the workload under roots, runs stop,
 * then SIGKILLs whichever of those processes still runs the workload. Returns how many it had to kill.
 */
export async function stopLeavingNothing(roots: number[], m: WorkloadMatch, stop: () => Promise<void>): Promise<number> {
  const before = scanTree(roots, m).workload;
  await stop();
  const left = before.filter((p) => isWorkload(p, m));
  killAll(left);
  return left.length;
}

/** Shutdowns of the peers running right now, so an interrupted run (Ctrl-C) still stops them. */
const active = new Set<() => Promise<void>>();

/** Registers shutdown until it has run; returns the shutdown to call instead. */
export function tracked(shutdown: () => Promise<void>): () => Promise<void> {
  const once = async (): Promise<void> => {
    active.delete(once);
    await shutdown();
  };
  active.add(once);
  return once;
}

/** Shuts every running peer down (for a signal handler). */
export async function shutdownActive(): Promise<void> {
  await Promise.allSettled([...active].map((s) => s()));
}
