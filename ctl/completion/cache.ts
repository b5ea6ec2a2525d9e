/** A small on-disk cache for completion, one file per key with the time it was written: $XDG_CACHE_HOME/ringmaster or ~/.cache/ringmaster. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { xdgDir } from './xdg.ts';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgDir('cache', env), 'ringmaster');
}

function cacheFile(key: string, env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), `complete-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
}

/** The value stored under `key` and how old it is; undefined when absent or unreadable. */
export function readCacheEntry<T>(key: string, env: NodeJS.ProcessEnv = process.env): { value: T; ageMs: number } | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile(key, env), 'utf8')) as { key: string; ts: number; value: T };
    const ageMs = Date.now() - entry.ts;
    return entry.key === key && ageMs >= 0 ? { value: entry.value, ageMs } : undefined;
  } catch {
    return undefined;
  }
}

/** The value stored under `key` if it is younger than ttlMs; undefined when absent, stale or unreadable. */
export function readCache<T>(key: string, ttlMs: number, env: NodeJS.ProcessEnv = process.env): T | undefined {
  const entry = readCacheEntry<T>(key, env);
  return entry && entry.ageMs < ttlMs ? entry.value : undefined;
}

/** Stores `value` under `key` (atomically: a reader never sees half a file); failures are ignored, the cache is only a shortcut. */
export function writeCache(key: string, value: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const file = cacheFile(key, env);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify({ key, ts: Date.now(), value }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // not writable (no home, read-only): completion asks the target every time
  }
}
