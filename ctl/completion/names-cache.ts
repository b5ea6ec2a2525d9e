/**
 * The on-disk cache of live names (watchers, hosts, labels), keyed by the input that chooses the
 * target: cheap to load, so that a TAB answered from the cache loads nothing else (fast.ts).
 */
import { statSync } from 'node:fs';
import { targetSource } from '../target-source.ts';
import { readCacheEntry } from './cache.ts';
import type { TargetFlags } from './engine.ts';

export interface LiveNames {
  watcher: string[];
  host: string[];
  label: string[];
}

export const NO_NAMES: LiveNames = { watcher: [], host: [], label: [] };

/** Seconds a fetch is reused (RINGCTL_COMPLETION_TTL) and may take (RINGCTL_COMPLETION_TIMEOUT). */
export const DEFAULT_TTL_S = 5;
export const DEFAULT_TIMEOUT_S = 1.5;
/** Seconds after which names are too old even to answer a TAB while they are refreshed (RINGCTL_COMPLETION_STALE). */
export const DEFAULT_STALE_S = 600;

/** A number of seconds from the environment, or `fallback` when unset or not a number ≥ 0. */
export function seconds(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export const ttlMs = (env: NodeJS.ProcessEnv): number => seconds(env.RINGCTL_COMPLETION_TTL, DEFAULT_TTL_S) * 1000;

/**
 * The cache key of the target the flags (or the environment, or a context file) choose, found
 * without parsing anything: the input that chooses it, and a context file's modification time.
 */
export function liveKey(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): string {
  const from = targetSource(flags, env);
  let changed = 0;
  if (from.kind === 'context') {
    try {
      changed = statSync(from.file).mtimeMs;
    } catch {
      // a missing file: resolving it fails, and that (no names) is what gets cached
    }
  }
  return `names ${JSON.stringify([from, changed, flags.curveServerKey ?? ''])}`;
}

/** The cached names of the target and their age; undefined when none are cached. */
export function cachedNames(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): { value: LiveNames; ageMs: number } | undefined {
  return readCacheEntry<LiveNames>(liveKey(flags, env), env);
}
