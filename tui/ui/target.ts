/**
 * What the keys that change processes act on (the selection of the current screen) and how each
 * becomes a catalogue command: its properties, whether it asks first, and its words in messages.
 */
import type { FleetState } from '../data/model.ts';
import { hostsWith, rowsOf } from './rows.ts';
import { top, type ActionName, type ActionTarget, type PendingAction, type UiState } from './state.ts';

export interface ActionSpec {
  command: string;
  /** Destructive: asks for confirmation first. */
  confirm: boolean;
  /** Needs a watcher (a host alone is not enough). */
  needsWatcher: boolean;
  /** "restart", "start" … as in "restart web on web-1?" and "restarting …". */
  verb: string;
  doing: string;
}

export const ACTIONS: Record<ActionName, ActionSpec> = {
  start: { command: 'start', confirm: false, needsWatcher: false, verb: 'start', doing: 'starting' },
  stop: { command: 'stop', confirm: true, needsWatcher: false, verb: 'stop', doing: 'stopping' },
  restart: { command: 'restart', confirm: true, needsWatcher: false, verb: 'restart', doing: 'restarting' },
  reload: { command: 'reload', confirm: true, needsWatcher: false, verb: 'reload (graceful)', doing: 'reloading' },
  incr: { command: 'incr', confirm: false, needsWatcher: true, verb: 'add one process to', doing: 'adding a process to' },
  decr: { command: 'decr', confirm: true, needsWatcher: true, verb: 'remove one process from', doing: 'removing a process from' },
  signal: { command: 'signal', confirm: true, needsWatcher: true, verb: 'send a signal to', doing: 'signalling' },
};

const on = (hosts: readonly string[]): string => (hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`);

/** The selection as an action target, or why there is none. */
export function targetOf(ui: UiState, fleet: FleetState): ActionTarget | string {
  const fr = top(ui);
  const s = fr.screen;
  if (s.kind === 'output') return 'nothing selected here: Esc goes back';
  if (s.kind === 'logs') {
    const hosts = s.host ? [s.host] : hostsWith(fleet, s.watcher);
    return { hosts: s.host ? hosts : null, watcher: s.watcher, pid: s.pid, label: `${s.watcher} on ${on(hosts)}` };
  }
  const rows = rowsOf(fleet, fr);
  const r = rows[Math.min(fr.cursor, rows.length - 1)];
  if (!r) return 'nothing selected';
  switch (r.kind) {
    case 'host': return { hosts: [r.key], watcher: null, pid: null, label: `every watcher of ${r.key}` };
    case 'fwatcher': return { hosts: r.hosts, watcher: r.name, pid: null, label: `${r.name} on ${on(r.hosts)}` };
    case 'watcher': return { hosts: [r.host], watcher: r.key, pid: null, label: `${r.key} on ${r.host}` };
    case 'proc': return { hosts: [r.host], watcher: r.watcher, pid: r.p.pid, label: `${r.watcher} on ${r.host}` };
  }
}

/** The catalogue properties of an action (waiting: the result says how it ended). */
export function actionProps(p: PendingAction): Record<string, unknown> {
  const name = p.target.watcher === null ? {} : { name: p.target.watcher };
  switch (p.action) {
    case 'start': case 'stop': case 'restart': return { ...name, waiting: true };
    case 'reload': return { ...name, graceful: true, waiting: true };
    case 'incr': case 'decr': return { ...name, nb: 1, waiting: true };
    case 'signal': return { ...name, signum: p.signal, ...(p.target.pid !== null ? { pid: p.target.pid } : {}) };
  }
}

/** "restart web on web-1", "send KILL to pid 4242 of web on web-1". */
export function describeAction(p: PendingAction, doing = false): string {
  const spec = ACTIONS[p.action];
  if (p.action === 'signal') {
    const what = p.target.pid !== null ? `pid ${p.target.pid} of ${p.target.label}` : p.target.label;
    return `${doing ? 'sending' : 'send'} ${p.signal} to ${what}`;
  }
  return `${doing ? spec.doing : spec.verb} ${p.target.label}`;
}
