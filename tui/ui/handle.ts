/**
 * What one key does, as a pure step: the next UI state and the effects the app carries out
 * (run an action or a command line, ask for completions, quit). The app feeds it every key of a
 * chunk in turn, so "jjr" moves twice and then asks to restart.
 */
import type { FleetState } from '../data/model.ts';
import { SIGNALS } from '../defaults.ts';
import { completed, onCommandKey, onFilterKey, type LineEffect } from './cmdline.ts';
import type { Key } from './keys.ts';
import { commandOf, type UiCommand } from './keymap.ts';
import { line } from './line.ts';
import { rowsOf, sortNames } from './rows.ts';
import { frame, top, withTop, type ActionName, type Frame, type Mode, type PendingAction, type Screen, type UiState } from './state.ts';
import { ACTIONS, describeAction, targetOf } from './target.ts';

export type Effect = LineEffect | { kind: 'run'; pending: PendingAction } | { kind: 'quit' };
export interface Step { ui: UiState; effects: Effect[] }

export interface KeyContext {
  fleet: FleetState;
  /** Rows a page of the current list or pane shows. */
  page: number;
  /** Sequence number of the newest line of the log pane. */
  logSeq: number;
}

const NORMAL: Mode = { kind: 'normal' };
const step = (ui: UiState, ...effects: Effect[]): Step => ({ ui, effects });
const info = (ui: UiState, text: string): UiState => ({ ...ui, message: { level: 'info', text } });

/** Moves the cursor (lists), the scroll position (output) or scrolls back in the log pane (which pauses it). */
function move(ui: UiState, ctx: KeyContext, delta: number): UiState {
  const fr = top(ui);
  const s = fr.screen;
  if (s.kind === 'logs') {
    const offset = Math.max(0, fr.offset - delta);
    return withTop(ui, { offset, pausedAt: offset > 0 ? fr.pausedAt ?? ctx.logSeq : fr.pausedAt });
  }
  if (s.kind === 'output') return withTop(ui, { offset: Math.max(0, Math.min(s.lines.length - 1, fr.offset + delta)) });
  const n = rowsOf(ctx.fleet, fr).length;
  return withTop(ui, { cursor: Math.max(0, Math.min(n - 1, Math.min(fr.cursor, n - 1) + delta)) });
}

/** The screen Enter (or `l`) opens from the selection, if any. */
function drill(ui: UiState, ctx: KeyContext, logs: boolean): Screen | string | undefined {
  const fr = top(ui);
  const rows = rowsOf(ctx.fleet, fr);
  const r = rows[Math.min(fr.cursor, rows.length - 1)];
  if (!r) return fr.screen.kind === 'logs' || fr.screen.kind === 'output' ? undefined : 'nothing selected';
  switch (r.kind) {
    case 'host': return logs ? 'choose a watcher first (Enter on the host)' : { kind: 'host', host: r.key };
    case 'fwatcher': return logs ? { kind: 'logs', host: null, watcher: r.name, pid: null } : { kind: 'watcher', host: null, watcher: r.name };
    case 'watcher': return logs ? { kind: 'logs', host: r.host, watcher: r.key, pid: null } : { kind: 'watcher', host: r.host, watcher: r.key };
    case 'proc': return { kind: 'logs', host: r.host, watcher: r.watcher, pid: r.p.pid };
  }
}

function push(ui: UiState, to: Screen | string | undefined): UiState {
  if (to === undefined) return ui;
  if (typeof to === 'string') return info(ui, to);
  return { ...ui, stack: [...ui.stack, frame(to)], message: null };
}

function act(ui: UiState, ctx: KeyContext, action: ActionName): Step {
  const target = targetOf(ui, ctx.fleet);
  if (typeof target === 'string') return step(info(ui, target));
  const spec = ACTIONS[action];
  if (spec.needsWatcher && target.watcher === null) return step(info(ui, `choose a watcher first: ${spec.verb} needs one (Enter on the host)`));
  if (action === 'signal') return step({ ...ui, mode: { kind: 'signal', cursor: 0, target }, message: null });
  const pending: PendingAction = { action, target };
  if (spec.confirm) return step({ ...ui, mode: { kind: 'confirm', pending }, message: null });
  return step({ ...ui, message: { level: 'info', text: `${describeAction(pending, true)}…` } }, { kind: 'run', pending });
}

function scrollEnd(ui: UiState, ctx: KeyContext, first: boolean): UiState {
  const fr = top(ui);
  const s = fr.screen;
  if (s.kind === 'logs') return withTop(ui, first ? { offset: Number.MAX_SAFE_INTEGER, pausedAt: fr.pausedAt ?? ctx.logSeq } : { offset: 0, pausedAt: null });
  if (s.kind === 'output') return withTop(ui, { offset: first ? 0 : Math.max(0, s.lines.length - 1) });
  return withTop(ui, { cursor: first ? 0 : Math.max(0, rowsOf(ctx.fleet, fr).length - 1) });
}

const isList = (f: Frame): boolean => f.screen.kind === 'fleet' || f.screen.kind === 'host' || f.screen.kind === 'watcher';

function onCommand(ui: UiState, ctx: KeyContext, c: UiCommand): Step {
  const fr = top(ui);
  switch (c) {
    case 'up': return step(move(ui, ctx, -1));
    case 'down': return step(move(ui, ctx, 1));
    case 'pageUp': return step(move(ui, ctx, -ctx.page));
    case 'pageDown': return step(move(ui, ctx, ctx.page));
    case 'top': return step(scrollEnd(ui, ctx, true));
    case 'bottom': return step(scrollEnd(ui, ctx, false));
    case 'enter': return step(push(ui, drill(ui, ctx, false)));
    case 'logs': return step(push(ui, drill(ui, ctx, true)));
    case 'back':
      if (fr.filter) return step(withTop({ ...ui, message: null }, { filter: '', cursor: 0 }));
      return step(ui.stack.length > 1 ? { ...ui, stack: ui.stack.slice(0, -1), message: null } : { ...ui, message: null });
    case 'tab':
      if (fr.screen.kind !== 'fleet') return step(ui);
      return step(withTop(ui, { screen: { kind: 'fleet', tab: fr.screen.tab === 'hosts' ? 'watchers' : 'hosts' }, cursor: 0, sort: 0, filter: '' }));
    case 'filter': return step(isList(fr) ? { ...ui, mode: { kind: 'filter', edit: line(fr.filter) }, message: null } : ui);
    case 'sort': {
      const names = sortNames(fr.screen);
      if (names.length === 0) return step(ui);
      const sort = (fr.sort + 1) % names.length;
      return step(info(withTop(ui, { sort, cursor: 0 }), `sorted by ${names[sort]}`));
    }
    case 'pause':
      if (fr.screen.kind !== 'logs') return step(ui);
      return step(withTop(ui, fr.pausedAt === null ? { pausedAt: ctx.logSeq } : { pausedAt: null, offset: 0 }));
    case 'start': case 'stop': case 'restart': case 'reload': case 'incr': case 'decr': case 'signal':
      return act(ui, ctx, c);
    case 'help': return step({ ...ui, mode: { kind: 'help' } });
    case 'command': return step({ ...ui, mode: { kind: 'command', edit: line(), completion: null, history: -1 }, message: null });
    case 'quit': return step(ui, { kind: 'quit' });
  }
}

export function onKey(ui: UiState, k: Key, ctx: KeyContext): Step {
  const m = ui.mode;
  if (k.name === 'ctrl' && k.char === 'c') return step(ui, { kind: 'quit' });
  switch (m.kind) {
    case 'normal': {
      const c = commandOf(k);
      return c ? onCommand(ui, ctx, c) : step(ui);
    }
    case 'help': return step({ ...ui, mode: NORMAL });
    case 'filter': return step(onFilterKey(ui, m, k));
    case 'command': return onCommandKey(ui, m, k);
    case 'confirm': {
      const yes = k.name === 'char' && (k.char === 'y' || k.char === 'Y');
      if (!yes) return step({ ...ui, mode: NORMAL, message: { level: 'info', text: `cancelled: ${describeAction(m.pending)}` } });
      return step({ ...ui, mode: NORMAL, message: { level: 'info', text: `${describeAction(m.pending, true)}…` } }, { kind: 'run', pending: m.pending });
    }
    case 'signal': {
      if (k.name === 'escape') return step({ ...ui, mode: NORMAL });
      if (k.name === 'enter') return step({ ...ui, mode: { kind: 'confirm', pending: { action: 'signal', target: m.target, signal: SIGNALS[m.cursor] } } });
      const c = commandOf(k);
      const delta = c === 'up' ? -1 : c === 'down' ? 1 : 0;
      return step({ ...ui, mode: { ...m, cursor: Math.max(0, Math.min(SIGNALS.length - 1, m.cursor + delta)) } });
    }
  }
}

export { completed };
