/** depends_on checks (unknown watchers, cycles) and the start order of watchers. */
import { Issues, joinKey } from './issues.ts';
import { suggest } from './suggest.ts';
import type { WatcherConfig } from './types.ts';

/** What the dependency checks need of a watcher (its depends_on may be missing when invalid). */
export type DependencyNode = Pick<WatcherConfig, 'name' | 'file'> & Partial<Pick<WatcherConfig, 'depends_on'>>;

/** Report depends_on entries naming no watcher (`defined`: every watcher name, valid or not). */
export function checkDependsOn(watchers: readonly DependencyNode[], issues: Issues): void {
  const defined = new Set(watchers.map((w) => w.name));
  for (const w of watchers) {
    for (const dep of w.depends_on ?? []) {
      if (defined.has(dep)) continue;
      const hint = suggest(dep, defined);
      issues.add(w.file, joinKey(joinKey('watchers', w.name), 'depends_on'), `unknown watcher "${dep}"${hint === undefined ? '' : `; did you mean "${hint}"?`}`);
    }
  }
}

/** Every dependency cycle, each as a list of names starting at its alphabetically first member. */
export function findCycles(watchers: readonly DependencyNode[]): string[][] {
  const byName = new Map(watchers.map((w) => [w.name, w]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const dep of byName.get(name)?.depends_on ?? []) {
      if (!byName.has(dep)) continue;
      if (state.get(dep) === 'active') {
        const cycle = stack.slice(stack.indexOf(dep));
        const first = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        cycles.set(rotated.join('\0'), rotated);
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...byName.keys()].sort()) if (!state.has(name)) visit(name);
  return [...cycles.values()];
}

/** Report each dependency cycle once, on the depends_on of its alphabetically first watcher. */
export function checkCycles(watchers: readonly DependencyNode[], issues: Issues): void {
  const byName = new Map(watchers.map((w) => [w.name, w]));
  for (const cycle of findCycles(watchers)) {
    const w = byName.get(cycle[0]);
    if (w === undefined) continue;
    issues.add(w.file, joinKey(joinKey('watchers', w.name), 'depends_on'), `dependency cycle ${[...cycle, cycle[0]].join(' → ')}`);
  }
}

/**
 * Watchers in start order: a watcher comes after everything it depends on; among those ready to
 * start, higher priority first, then by name. Expects no cycles (remaining ones are appended).
 */
export function startOrder(watchers: readonly WatcherConfig[]): WatcherConfig[] {
  const names = new Set(watchers.map((w) => w.name));
  const placed = new Set<string>();
  const pending = [...watchers].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const order: WatcherConfig[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((w) => w.depends_on.every((d) => placed.has(d) || !names.has(d)));
    const next = pending.splice(index < 0 ? 0 : index, 1)[0];
    placed.add(next.name);
    order.push(next);
  }
  return order;
}
