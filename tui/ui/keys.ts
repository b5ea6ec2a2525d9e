/**
 * Keys as the UI handles them, one at a time. Ink hands over what the terminal sent in one read:
 * a single key with its flags, or several characters at once ("jjr", "web\r" when keys are typed
 * faster than they are read, or pasted). Every character of such a chunk becomes its own key.
 */

/** A printable character ("j", "S", "+") or a named key. */
export type Key =
  | { name: 'char'; char: string }
  | { name: 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'delete' | 'tab' }
  | { name: 'ctrl'; char: string };

export type NamedKey = Exclude<Key, { name: 'char' } | { name: 'ctrl' }>['name'];

/** The flags Ink's useInput passes (the subset used here). */
export interface InkKey {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
}

const FLAGS: [keyof InkKey, NamedKey][] = [
  ['upArrow', 'up'], ['downArrow', 'down'], ['leftArrow', 'left'], ['rightArrow', 'right'], ['pageUp', 'pageup'], ['pageDown', 'pagedown'],
  ['home', 'home'], ['end', 'end'], ['return', 'enter'], ['escape', 'escape'], ['tab', 'tab'],
  // Terminals send DEL (0x7f) for Backspace, which Ink names "delete": both erase backwards here.
  ['backspace', 'backspace'], ['delete', 'backspace'],
];

/** One character of a chunk as a key. */
function charKey(c: string): Key {
  switch (c) {
    case '\r': case '\n': return { name: 'enter' };
    case '\t': return { name: 'tab' };
    case '\x7f': case '\b': return { name: 'backspace' };
    case '\x1b': return { name: 'escape' };
  }
  const code = c.charCodeAt(0);
  if (code < 0x20) return { name: 'ctrl', char: String.fromCharCode(code + 0x60) };
  return { name: 'char', char: c };
}

/** The keys of one useInput call, in order. */
export function splitKeys(input: string, key: InkKey): Key[] {
  // Esc pressed twice before the first was read: Ink reports one escape whose text is the second.
  if (key.escape && input === '\x1b') return [{ name: 'escape' }, { name: 'escape' }];
  if (input.length <= 1 || key.escape) {
    for (const [flag, name] of FLAGS) if (key[flag]) return [{ name }];
    if (key.ctrl && input) return [{ name: 'ctrl', char: input.toLowerCase() }];
    return input ? [charKey(input)] : [];
  }
  return [...input].map(charKey);
}
