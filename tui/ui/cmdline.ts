/**
 * The `:` command line and the `/` filter as key handlers: editing, history (↑ ↓), and TAB
 * completion through ringctl's completion engine (asked by the app; TAB again cycles through the
 * candidates it gave without asking again).
 */
import { quoteWord } from '../../agent/config/shlex.ts';
import { fromLine } from '../../ctl/completion/words.ts';
import { HISTORY_SIZE } from '../defaults.ts';
import type { Key } from './keys.ts';
import { edit, line } from './line.ts';
import { withTop, type Completion, type Mode, type UiState } from './state.ts';

export type LineEffect = { kind: 'line'; line: string } | { kind: 'complete'; line: string };
export interface LineStep { ui: UiState; effects: LineEffect[] }

type CommandMode = Extract<Mode, { kind: 'command' }>;
type FilterMode = Extract<Mode, { kind: 'filter' }>;

const NORMAL: Mode = { kind: 'normal' };

/** `base` with its last word replaced by `candidate` (quoted for sh); a sole candidate gets the space after it. */
export function applyCandidate(base: string, candidate: string, sole: boolean): string {
  const { token } = fromLine(base);
  return `${base.slice(0, base.length - token.length)}${quoteWord(candidate)}${sole ? ' ' : ''}`;
}

const shown = (c: Completion): string => applyCandidate(c.base, c.candidates[c.index], c.candidates.length === 1);

export function onCommandKey(ui: UiState, m: CommandMode, k: Key): LineStep {
  const same = (mode: Mode): LineStep => ({ ui: { ...ui, mode }, effects: [] });
  switch (k.name) {
    case 'escape': return same(NORMAL);
    case 'enter': {
      const text = m.edit.value.trim();
      if (!text) return same(NORMAL);
      const history = [text, ...ui.history.filter((h) => h !== text)].slice(0, HISTORY_SIZE);
      return { ui: { ...ui, mode: NORMAL, history }, effects: [{ kind: 'line', line: text }] };
    }
    case 'tab': {
      const c = m.completion;
      if (c && m.edit.value === shown(c) && c.candidates.length > 1) {
        const next = { ...c, index: (c.index + 1) % c.candidates.length };
        return same({ ...m, edit: line(shown(next)), completion: next });
      }
      return { ui: { ...ui, mode: { ...m, completion: null } }, effects: [{ kind: 'complete', line: m.edit.value }] };
    }
    case 'up': case 'down': {
      const i = Math.max(-1, Math.min(ui.history.length - 1, m.history + (k.name === 'up' ? 1 : -1)));
      return same({ ...m, edit: line(i < 0 ? '' : ui.history[i]), history: i, completion: null });
    }
    default: {
      const next = edit(m.edit, k);
      return same(next ? { ...m, edit: next, completion: null } : m);
    }
  }
}

/** The candidates of a TAB arrived: the first one replaces the last word (unless the line changed meanwhile). */
export function completed(ui: UiState, base: string, candidates: readonly string[]): UiState {
  const m = ui.mode;
  if (m.kind !== 'command' || m.edit.value !== base) return ui;
  if (candidates.length === 0) return { ...ui, message: { level: 'info', text: `nothing completes "${base}"` } };
  const c: Completion = { base, candidates, index: 0 };
  return { ...ui, mode: { ...m, edit: line(shown(c)), completion: c }, message: null };
}

export function onFilterKey(ui: UiState, m: FilterMode, k: Key): UiState {
  switch (k.name) {
    case 'enter': return { ...ui, mode: NORMAL };
    case 'escape': return withTop({ ...ui, mode: NORMAL }, { filter: '', cursor: 0 });
    default: {
      const next = edit(m.edit, k);
      return next ? withTop({ ...ui, mode: { ...m, edit: next } }, { filter: next.value, cursor: 0 }) : ui;
    }
  }
}
