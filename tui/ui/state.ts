/**
 * The UI's own state, apart from the fleet data: the stack of screens drilled into (each with its
 * cursor, filter, sort and scroll), the input mode (lists, a line being edited, a confirmation, the
 * signal picker, the help), the last message, and the command line's history.
 */
import type { LineEdit } from './line.ts';

export type Tab = 'hosts' | 'watchers';

export type Screen =
  | { kind: 'fleet'; tab: Tab }
  | { kind: 'host'; host: string }
  /** Processes of a watcher on one host, or on every host that has it (host null). */
  | { kind: 'watcher'; host: string | null; watcher: string }
  /** Output of a watcher (or of one of its processes) on one host or every host that has it. */
  | { kind: 'logs'; host: string | null; watcher: string; pid: number | null }
  /** What a command of the command line printed. */
  | { kind: 'output'; title: string; lines: readonly string[]; level: MessageLevel };

export interface Frame {
  screen: Screen;
  cursor: number;
  filter: string;
  /** Index into the screen's sort orders. */
  sort: number;
  /** Log pane: lines scrolled back from the newest; output: lines scrolled from the top. */
  offset: number;
  /** Log pane: paused at this line sequence (lines after it are kept, not shown), null when following. */
  pausedAt: number | null;
}

/** What an action acts on: hosts (null: every host with the watcher, or the whole target), a watcher, a process. */
export interface ActionTarget {
  hosts: readonly string[] | null;
  watcher: string | null;
  pid: number | null;
  /** "web on web-1", "web on 3 hosts", "every watcher of web-1", "pid 4242 of web on web-1". */
  label: string;
}

export type ActionName = 'start' | 'stop' | 'restart' | 'reload' | 'incr' | 'decr' | 'signal';

export interface PendingAction {
  action: ActionName;
  target: ActionTarget;
  signal?: string;
}

export interface Completion {
  /** The line as typed before the first TAB. */
  base: string;
  candidates: readonly string[];
  index: number;
}

export type Mode =
  | { kind: 'normal' }
  | { kind: 'help' }
  | { kind: 'filter'; edit: LineEdit }
  | { kind: 'command'; edit: LineEdit; completion: Completion | null; history: number }
  | { kind: 'confirm'; pending: PendingAction }
  | { kind: 'signal'; cursor: number; target: ActionTarget };

export type MessageLevel = 'info' | 'ok' | 'error';

export interface UiState {
  stack: readonly Frame[];
  mode: Mode;
  message: { level: MessageLevel; text: string } | null;
  /** Command lines run, newest first. */
  history: readonly string[];
}

export const frame = (screen: Screen): Frame => ({ screen, cursor: 0, filter: '', sort: 0, offset: 0, pausedAt: null });

export function initialUi(history: readonly string[] = []): UiState {
  return { stack: [frame({ kind: 'fleet', tab: 'hosts' })], mode: { kind: 'normal' }, message: null, history };
}

export const top = (ui: UiState): Frame => ui.stack[ui.stack.length - 1];

export const withTop = (ui: UiState, change: Partial<Frame>): UiState => ({ ...ui, stack: [...ui.stack.slice(0, -1), { ...top(ui), ...change }] });
