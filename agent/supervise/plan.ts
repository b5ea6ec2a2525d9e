/** What a configuration reload changes: watchers to add, remove, restart or merely resize. */
import type { Config, WatcherConfig } from '../config/types.ts';

export interface ReloadPlan {
  add: string[];
  remove: string[];
  /** Changed in anything but numprocesses: stopped and started again with the new settings. */
  restart: string[];
  /** Only numprocesses changed: resized live, no process restarted. */
  resize: string[];
  unchanged: string[];
}

/** The settings that matter for a restart decision: everything but the count and where it was read. */
function fingerprint(w: WatcherConfig): string {
  return JSON.stringify({ ...w, numprocesses: 0, file: '' });
}

export function planReload(current: Config, next: Config): ReloadPlan {
  const old = new Map(current.watchers.map((w) => [w.name, w]));
  const plan: ReloadPlan = { add: [], remove: [], restart: [], resize: [], unchanged: [] };
  for (const w of next.watchers) {
    const before = old.get(w.name);
    if (!before) plan.add.push(w.name);
    else if (fingerprint(before) !== fingerprint(w)) plan.restart.push(w.name);
    else if (before.numprocesses !== w.numprocesses) plan.resize.push(w.name);
    else plan.unchanged.push(w.name);
  }
  const names = new Set(next.watchers.map((w) => w.name));
  plan.remove = current.watchers.filter((w) => !names.has(w.name)).map((w) => w.name);
  return plan;
}

/** True when two watcher configs differ only in numprocesses. */
export function onlyCountDiffers(a: WatcherConfig, b: WatcherConfig): boolean {
  return fingerprint(a) === fingerprint(b);
}
