/** What a configuration change does to a watcher, and what a reload does to the whole agent. */
import type { ReloadPlanView } from '../../protocol/agent-api.ts';
import type { Config, WatcherConfig } from '../config/types.ts';
import { watcherSockets } from '../config/sockets.ts';
import type { SocketChanges } from '../sockets/manager.ts';
import { sameData } from '../equal.ts';

const NO_SOCKET_CHANGES: SocketChanges = { added: [], removed: [], changed: [] };

/**
 * Settings that decide how a process is spawned: changing one restarts the watcher. Everything
 * else (stop, hook, backoff, age, output settings…) applies to the running watcher at once.
 */
const SPAWN_KEYS: readonly (keyof WatcherConfig)[] = [
  'cmd', 'args', 'shell', 'shell_args', 'executable', 'working_dir', 'uid', 'gid', 'env', 'copy_env', 'rlimits',
  'close_child_stdin', 'close_child_stdout', 'close_child_stderr',
];

export type WatcherChange = 'unchanged' | 'resize' | 'update' | 'restart';


export function classifyChange(a: WatcherConfig, b: WatcherConfig): WatcherChange {
  if (SPAWN_KEYS.some((k) => !sameData(a[k], b[k]))) return 'restart';
  const live = (Object.keys(b) as (keyof WatcherConfig)[]).filter((k) => k !== 'numprocesses' && k !== 'file');
  if (live.some((k) => !sameData(a[k], b[k])) || Object.keys(a).length !== Object.keys(b).length) return 'update';
  return a.numprocesses === b.numprocesses ? 'unchanged' : 'resize';
}

/** add / remove / restart / update / resize / unchanged watcher names (see ReloadPlanView). */
export type ReloadPlan = ReloadPlanView;

export function planReload(current: Config, next: Config, sockets: SocketChanges = NO_SOCKET_CHANGES): ReloadPlan {
  const old = new Map(current.watchers.map((w) => [w.name, w]));
  const plan: ReloadPlan = { add: [], remove: [], restart: [], update: [], resize: [], unchanged: [], sockets };
  const rebound = new Set([...sockets.changed, ...sockets.removed]);
  const socketNames = next.sockets.map((s) => s.name);
  for (const w of next.watchers) {
    const before = old.get(w.name);
    if (!before) plan.add.push(w.name);
    else if (watcherSockets(w, socketNames).some((n) => rebound.has(n)) || (w.stdin_socket && rebound.has(w.stdin_socket))) plan.restart.push(w.name);
    else plan[classifyChange(before, w)].push(w.name);
  }
  const names = new Set(next.watchers.map((w) => w.name));
  plan.remove = current.watchers.filter((w) => !names.has(w.name)).map((w) => w.name);
  return plan;
}
