/** Values completion knows without asking anyone, cheap to load (a TAB may use them): signal names and file names. */
import { readdirSync } from 'node:fs';
import { constants } from 'node:os';

/** Signal names: HUP, TERM… or, once the word starts with SIG, SIGHUP, SIGTERM… (both are accepted). */
export function signalNames(word: string): string[] {
  const names = Object.keys(constants.signals);
  return /^sig/i.test(word) ? names : names.map((n) => n.slice(3));
}

/** Entries of the folder `word` is in whose names start like it; folders end with "/". Dot files only when asked for. */
export function fileNames(word: string): string[] {
  const slash = word.lastIndexOf('/');
  const dir = word.slice(0, slash + 1);
  const base = word.slice(slash + 1);
  try {
    return readdirSync(dir || '.', { withFileTypes: true })
      .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
      .map((e) => `${dir}${e.name}${e.isDirectory() ? '/' : ''}`);
  } catch {
    return [];
  }
}
