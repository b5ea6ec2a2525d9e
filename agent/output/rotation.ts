/** Log rotation arithmetic and file shuffling: size backups (file.1 … file.N) and timed suffixes. */
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RotateWhen } from '../config/types.ts';

const SECOND = 1000;
const SPAN_MS: Partial<Record<RotateWhen, number>> = { S: SECOND, M: 60 * SECOND, H: 3600 * SECOND, D: 86_400 * SECOND };

/** Python TimedRotatingFileHandler suffixes, and what they look like when listing old files. */
export function timedSuffix(when: RotateWhen): { format: string; pattern: RegExp } {
  switch (when) {
    case 'S': return { format: '%Y-%m-%d_%H-%M-%S', pattern: /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}(\.\d+)?$/ };
    case 'M': return { format: '%Y-%m-%d_%H-%M', pattern: /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}(\.\d+)?$/ };
    case 'H': return { format: '%Y-%m-%d_%H', pattern: /^\d{4}-\d{2}-\d{2}_\d{2}(\.\d+)?$/ };
    default: return { format: '%Y-%m-%d', pattern: /^\d{4}-\d{2}-\d{2}(\.\d+)?$/ };
  }
}

/** Adds `days` calendar days (DST-safe in local time: keeps the wall-clock time). */
function addDays(ms: number, days: number, utc: boolean): number {
  const d = new Date(ms);
  if (utc) d.setUTCDate(d.getUTCDate() + days);
  else d.setDate(d.getDate() + days);
  return d.getTime();
}

/** First midnight strictly after `ms`. */
function nextMidnight(ms: number, utc: boolean): number {
  const d = new Date(ms);
  if (utc) d.setUTCHours(24, 0, 0, 0);
  else d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/**
 * One rotation period: files written from `start` are rotated at `end`, under the name made from
 * `suffixTime`.
 * - S, M, H, D: `interval` units after the period began (Python's semantics: not aligned to the clock).
 * - MIDNIGHT: the next midnight, plus interval-1 more days.
 * - W0…W6 (0 = Monday): the next midnight that starts that weekday, plus interval-1 more weeks.
 *   (Python rotates at the midnight that ends that weekday; starting it is what "W0 = Monday" means.)
 * The suffix is the period start for S/M/H/D and `end` minus the interval for MIDNIGHT/W, as Python does.
 */
export function rotationPeriod(
  when: RotateWhen, interval: number, start: number, utc: boolean,
): { end: number; suffixTime: number } {
  const n = Math.max(1, Math.floor(interval) || 1);
  const span = SPAN_MS[when];
  if (span !== undefined) return { end: start + n * span, suffixTime: start };
  let end = nextMidnight(start, utc);
  if (when === 'MIDNIGHT') {
    end = addDays(end, n - 1, utc);
    return { end, suffixTime: addDays(end, -n, utc) };
  }
  const wanted = Number(when.slice(1)); // 0 = Monday
  const weekday = (utc ? new Date(end).getUTCDay() : new Date(end).getDay()) as number;
  const mondayBased = (weekday + 6) % 7;
  end = addDays(end, (wanted - mondayBased + 7) % 7 + 7 * (n - 1), utc);
  return { end, suffixTime: addDays(end, -7 * n, utc) };
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * RotatingFileHandler's shuffle (the file itself must be closed by the caller first):
 * file.(n-1) → file.n, …, file.1 → file.2, file → file.1; the previous file.n is overwritten.
 */
export async function shiftBackups(path: string, backupCount: number): Promise<void> {
  for (let i = backupCount - 1; i >= 1; i--) await renameIfExists(`${path}.${i}`, `${path}.${i + 1}`);
  await renameIfExists(path, `${path}.1`);
}

/**
 * Renames `path` to `path.<suffix>` (or `path.<suffix>.1`, `.2` … if that name is taken: never
 * overwrite older output), then, when backupCount > 0, deletes the oldest suffixed files beyond it.
 */
export async function rotateToSuffix(path: string, suffix: string, backupCount: number, pattern: RegExp): Promise<string> {
  let target = `${path}.${suffix}`;
  for (let i = 1; await exists(target); i++) target = `${path}.${suffix}.${i}`;
  await renameIfExists(path, target);
  if (backupCount > 0) await deleteOldBackups(path, pattern, backupCount);
  return target;
}

/** Suffixed backups of `path` (those whose suffix matches `pattern`), oldest first. */
export async function listTimedBackups(path: string, pattern: RegExp): Promise<string[]> {
  const dir = dirname(path);
  const head = `${basename(path)}.`;
  const names = (await readdir(dir)).filter((n) => n.startsWith(head) && pattern.test(n.slice(head.length)));
  const key = (n: string): [string, number] => {
    const rest = n.slice(head.length);
    const m = /^(.*?)(?:\.(\d+))?$/.exec(rest)!;
    return [m[1], m[2] === undefined ? 0 : Number(m[2])];
  };
  names.sort((a, b) => {
    const [ta, ia] = key(a);
    const [tb, ib] = key(b);
    return ta < tb ? -1 : ta > tb ? 1 : ia - ib;
  });
  return names.map((n) => join(dir, n));
}

async function deleteOldBackups(path: string, pattern: RegExp, backupCount: number): Promise<void> {
  const all = await listTimedBackups(path, pattern);
  for (const old of all.slice(0, Math.max(0, all.length - backupCount))) {
    try {
      await unlink(old);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
  }
}
