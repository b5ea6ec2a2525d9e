/**
 * The stop sequence of one process tree: stop signal to the group (and, with stop_children, to
 * every escaped member), wait up to graceful_timeout for the whole tree to leave, then SIGKILL
 * whatever is left. Finished only when no process of the tree remains. Scans of /proc are shared
 * snapshots, so that many trees stopping together cost one scan per loop turn, not one each.
 */
import { monotonicMs } from '../clock.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTreeShared, killTreeAndWait, signalTree, surelyGone, type TreeQuery } from './tree.ts';

/** How often a stopping tree is re-scanned once its main process has gone. */
const TREE_POLL_MS = 100;
/** How long SIGKILL may take to empty the tree before we report survivors. */
const KILL_WAIT_MS = 5000;

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface StopOptions {
  /** 0 = send nothing: the process leaves by itself (e.g. after a before_stop hook set a flag). */
  signal: number;
  stopChildren: boolean;
  gracefulTimeout: number;
  /** Resolves false when the signal must not be sent (a failed before_signal hook). */
  beforeSignal(signum: number): Promise<boolean>;
  afterSignal(signum: number): void;
}

export interface StopOutcome {
  status: ExitStatus;
  /** Set when SIGKILL was needed: how long after the stop began. */
  forcedAfterMs?: number;
  /** Pids that survived even SIGKILL (should never happen; reported, not hidden). */
  survivors: number[];
}

async function signalOnce(q: TreeQuery, signum: number, everyMember: boolean): Promise<void> {
  const members = everyMember ? await findTreeShared(q) : [];
  try {
    signalTree(members, signum, q.pgid);
  } catch {
    // EPERM on a member we may not signal: SIGKILL and the survivor report deal with it.
  }
}

export async function stopTree(q: TreeQuery, exited: Promise<ExitStatus>, opts: StopOptions): Promise<StopOutcome> {
  const begun = monotonicMs();
  const deadline = begun + opts.gracefulTimeout;
  if (opts.signal !== 0 && opts.gracefulTimeout > 0 && await opts.beforeSignal(opts.signal)) {
    await signalOnce(q, opts.signal, opts.stopChildren);
    opts.afterSignal(opts.signal);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => { timer = setTimeout(() => r(null), Math.max(0, deadline - monotonicMs())); });
  let status = await Promise.race([exited, timeout]);
  // One shared /proc scan per poll: the last one also decides whether SIGKILL is needed.
  let treeLeft = status !== null && !surelyGone(q) && (await findTreeShared(q)).length > 0;
  while (treeLeft && monotonicMs() < deadline) {
    await sleep(Math.min(TREE_POLL_MS, Math.max(0, deadline - monotonicMs())));
    treeLeft = (await findTreeShared(q)).length > 0;
  }
  clearTimeout(timer);
  if (status && !treeLeft) return { status, survivors: [] };
  // Timers fire on libuv's cached loop time, a hair before the monotonic clock reaches the deadline: never report less.
  const forcedAfterMs = Math.max(opts.gracefulTimeout, Math.round(monotonicMs() - begun));
  opts.afterSignal(9);
  const { left } = await killTreeAndWait(q, { timeoutMs: KILL_WAIT_MS });
  status ??= await exited;
  return { status, forcedAfterMs, survivors: left };
}
