/** The XDG base folders for ringctl's own files (cache, history, installed scripts), with their usual fallbacks under the home folder. */
import os from 'node:os';
import path from 'node:path';

const FALLBACK = { cache: ['.cache'], state: ['.local', 'state'], data: ['.local', 'share'] } as const;
const VARIABLE = { cache: 'XDG_CACHE_HOME', state: 'XDG_STATE_HOME', data: 'XDG_DATA_HOME' } as const;

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || os.homedir();
}

/** $XDG_<KIND>_HOME, else ~/.cache, ~/.local/state or ~/.local/share. */
export function xdgDir(kind: keyof typeof FALLBACK, env: NodeJS.ProcessEnv = process.env): string {
  return env[VARIABLE[kind]] || path.join(homeDir(env), ...FALLBACK[kind]);
}
