/**
 * Every key of the UI in one table: what each does, and the `?` overlay is rendered from it.
 * `k` moves up (as j moves down, like vi, less and k9s); sending a signal is `K`, next to the
 * other shifted keys that change processes (`S` stop, `R` reload).
 */
import type { Key } from './keys.ts';

export type UiCommand =
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom' | 'enter' | 'back' | 'tab' | 'filter' | 'sort'
  | 'start' | 'stop' | 'restart' | 'reload' | 'incr' | 'decr' | 'signal' | 'logs' | 'pause' | 'help' | 'command' | 'quit';

export interface Binding {
  keys: readonly string[];
  command: UiCommand;
  help: string;
}

/** Keys of the lists, the log pane and the output of commands. */
export const KEYMAP: readonly Binding[] = [
  { keys: ['↑', 'k'], command: 'up', help: 'up (logs: scroll back)' },
  { keys: ['↓', 'j'], command: 'down', help: 'down (logs: forward)' },
  { keys: ['PgUp'], command: 'pageUp', help: 'page up' },
  { keys: ['PgDn'], command: 'pageDown', help: 'page down' },
  { keys: ['Home', 'g'], command: 'top', help: 'first line' },
  { keys: ['End', 'G'], command: 'bottom', help: 'last line (logs: follow)' },
  { keys: ['Enter', '→'], command: 'enter', help: 'open: host › watcher › pid' },
  { keys: ['Esc', 'Backspace', '←'], command: 'back', help: 'back (or clear the filter)' },
  { keys: ['Tab'], command: 'tab', help: 'fleet: hosts ⇄ watchers' },
  { keys: ['/'], command: 'filter', help: 'filter the list' },
  { keys: ['o'], command: 'sort', help: 'next sort order' },
  { keys: ['s'], command: 'start', help: 'start' },
  { keys: ['S'], command: 'stop', help: 'stop (asks first)' },
  { keys: ['r'], command: 'restart', help: 'restart (asks first)' },
  { keys: ['R'], command: 'reload', help: 'graceful reload (asks)' },
  { keys: ['+'], command: 'incr', help: 'one process more' },
  { keys: ['-'], command: 'decr', help: 'one process less (asks)' },
  { keys: ['K'], command: 'signal', help: 'send a signal (asks)' },
  { keys: ['l'], command: 'logs', help: 'follow the output' },
  { keys: ['Space', 'p'], command: 'pause', help: 'logs: pause / resume' },
  { keys: [':'], command: 'command', help: 'command line' },
  { keys: ['?'], command: 'help', help: 'this help' },
  { keys: ['q', 'Ctrl-C'], command: 'quit', help: 'quit' },
];

/** Keys of the command line and the filter (handled by the line editor; listed in the help). */
export const LINE_KEYS: readonly { keys: string; help: string }[] = [
  { keys: 'Tab', help: 'complete; again: next one' },
  { keys: '↑ ↓', help: 'history (shared with shell)' },
  { keys: 'Enter', help: 'run (filter: keep it)' },
  { keys: 'Esc', help: 'cancel (filter: clear it)' },
  { keys: '^A ^E ^U ^W', help: 'start, end, erase line/word' },
];

/** How a Key is named in KEYMAP. */
function keyName(k: Key): string {
  switch (k.name) {
    case 'char': return k.char === ' ' ? 'Space' : k.char;
    case 'ctrl': return `Ctrl-${k.char.toUpperCase()}`;
    case 'up': return '↑';
    case 'down': return '↓';
    case 'left': return '←';
    case 'right': return '→';
    case 'pageup': return 'PgUp';
    case 'pagedown': return 'PgDn';
    case 'home': return 'Home';
    case 'end': return 'End';
    case 'enter': return 'Enter';
    case 'escape': return 'Esc';
    case 'backspace': case 'delete': return 'Backspace';
    case 'tab': return 'Tab';
  }
}

const BY_KEY = new Map(KEYMAP.flatMap((b) => b.keys.map((k) => [k, b.command] as const)));

/** The command a key stands for in the lists, if any. */
export function commandOf(k: Key): UiCommand | undefined {
  return BY_KEY.get(keyName(k));
}
