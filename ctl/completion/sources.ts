/** Values completion knows without asking anyone: signal names, watcher option keys (from the config schema) and file names. */
import { readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { RLIMIT_NAMES, WATCHER_OPTIONS, WATCHER_TABLES } from '../../agent/config/schema.ts';

/** Signal names: HUP, TERM… or, once the word starts with SIG, SIGHUP, SIGTERM… (both are accepted). */
export function signalNames(word: string): string[] {
  const names = Object.keys(constants.signals);
  return /^sig/i.test(word) ? names : names.map((n) => n.slice(3));
}

/** Option keys of a watcher (`get`, `set`): the [watchers.NAME] keys, rlimit_<name> spelled out. */
export function optionKeys(): string[] {
  const tables = WATCHER_TABLES.flatMap((t) => (t.key === 'rlimit_<name>' ? RLIMIT_NAMES.map((r) => `rlimit_${r}`) : [t.key]));
  return [...WATCHER_OPTIONS.map((o) => o.key), ...tables];
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
