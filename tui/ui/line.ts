/** A one-line editor for the command line and the filter: the text, the cursor, and the keys that edit them. */
import type { Key } from './keys.ts';

export interface LineEdit {
  value: string;
  cursor: number;
}

export const line = (value = ''): LineEdit => ({ value, cursor: value.length });

/** The line after an editing key, or undefined when the key does not edit (Enter, Esc, Tab, ↑, ↓…). */
export function edit(l: LineEdit, k: Key): LineEdit | undefined {
  const { value, cursor } = l;
  switch (k.name) {
    case 'char': return { value: value.slice(0, cursor) + k.char + value.slice(cursor), cursor: cursor + k.char.length };
    case 'backspace': return cursor === 0 ? l : { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 };
    case 'delete': return { value: value.slice(0, cursor) + value.slice(cursor + 1), cursor };
    case 'left': return { value, cursor: Math.max(0, cursor - 1) };
    case 'right': return { value, cursor: Math.min(value.length, cursor + 1) };
    case 'home': return { value, cursor: 0 };
    case 'end': return { value, cursor: value.length };
    case 'ctrl':
      switch (k.char) {
        case 'a': return { value, cursor: 0 };
        case 'e': return { value, cursor: value.length };
        case 'u': return { value: value.slice(cursor), cursor: 0 };
        case 'w': {
          const start = value.slice(0, cursor).replace(/\S*\s*$/, '').length;
          return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
        }
        default: return undefined;
      }
    default: return undefined;
  }
}
