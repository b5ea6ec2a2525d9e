/** The words of a command line being completed: a partial line split like sh (the shell), or bash's COMP_WORDS rejoined where `=`, `:` and `@` split them. */
import { shellSplit } from '../../agent/config/shlex.ts';

/** Words with the program name first, and the index of the word under the cursor. */
export interface Words {
  words: string[];
  cword: number;
}

/** Ways to end a partial line so that it splits: as is, closing a quote, dropping a trailing backslash. */
const ENDINGS: ((text: string) => string)[] = [(t) => t, (t) => `${t}'`, (t) => `${t}"`, (t) => t.slice(0, -1)];

/** `text` split like sh, an unterminated quote (the word being typed) closed; `open` when one was. */
export function lenientSplit(text: string): { words: string[]; open: boolean } {
  for (const [i, end] of ENDINGS.entries()) {
    try {
      return { words: shellSplit(end(text)), open: i > 0 };
    } catch {
      continue;
    }
  }
  return { words: [], open: false };
}

/** The word a shell token stands for, quotes removed (`'b c'` → `b c`, `'we` → `we`). */
const dequote = (token: string): string => lenientSplit(token).words.join('');

/** A line typed at the shell prompt, up to the cursor: its words (after "ringctl") and the raw text of the last one (what a completion replaces). */
export function fromLine(line: string): Words & { token: string } {
  const { words, open } = lenientSplit(line);
  const fresh = !open && (words.length === 0 || /\s$/.test(line));
  const all = ['ringctl', ...words, ...(fresh ? [''] : [])];
  const cword = all.length - 1;
  let token = '';
  for (let i = line.length - 1; i >= 0 && !fresh && !token; i--) {
    const tail = lenientSplit(line.slice(i)).words;
    if ((i === 0 || /\s/.test(line[i - 1])) && tail.length === 1 && tail[0] === all[cword]) token = line.slice(i);
  }
  return { words: all, cword, token: token || all[cword] };
}

/** Tokens bash makes of the characters of COMP_WORDBREAKS that occur in ringctl's words (`role=web` is `role`, `=`, `web`). */
const BREAKS = /^[=:@]+$/;

/**
 * COMP_WORDS (bash) or $words (zsh) as ringctl's words, dequoted, with the tokens bash split at
 * `=`, `:` and `@` joined again (`tcp`, `:`, `//127.0.0.1`, `:`, `5555` → `tcp://127.0.0.1:5555`).
 * `strip`: how many leading characters of a candidate the shell already has, because it replaces
 * only the text after the last `=`, `:` or `@` (bash), or nothing when the word was not split (zsh).
 */
export function fromCompWords(raw: string[], cword: number): Words & { strip: number } {
  const words: string[] = [];
  let current = 0;
  for (let i = 0; i <= cword && i < raw.length; i++) {
    const glue = i > 1 && (BREAKS.test(raw[i]) || (BREAKS.test(raw[i - 1]) && raw[i] !== ''));
    if (glue) words[words.length - 1] += raw[i];
    else words.push(raw[i]);
    if (i === cword) current = words.length - 1;
  }
  if (cword >= raw.length) words.push('');
  const unquoted = words.map(dequote);
  const replaced = cword < raw.length && !BREAKS.test(raw[cword]) ? dequote(raw[cword]) : '';
  const index = cword >= raw.length ? unquoted.length - 1 : current;
  return { words: unquoted, cword: index, strip: Math.max(0, unquoted[index].length - replaced.length) };
}
