/** /proc readers used only by process statistics: nice and thread count, total memory, uid, argv[0], children, rss, fds. */
import fs from 'node:fs';
import { childrenOf, CLOSE_PAREN, pageSize, readSmall } from '../supervise/proc.ts';

/** Stat fields beyond ProcStat, for process statistics. */
export interface ProcStatExtra {
  /** Field 19, -20..19 (may be negative, which parseStat does not handle). */
  nice: number;
  /** Field 20. */
  numThreads: number;
}

/** Parse nice and num_threads from the stat line held in buf[0..n); undefined when malformed. */
export function parseStatExtra(buf: Buffer, n: number): ProcStatExtra | undefined {
  const close = buf.lastIndexOf(CLOSE_PAREN, n - 1);
  if (close < 0) return undefined;
  let i = close + 2; // first byte of field 3 (state)
  for (let field = 3; field < 19; i++) {
    if (i >= n) return undefined;
    if (buf[i] === 0x20) field++;
  }
  const out = [0, 0];
  for (let k = 0; k < 2; k++, i++) {
    const neg = buf[i] === 0x2d;
    if (neg) i++;
    let v = 0;
    for (; i < n && buf[i] >= 48 && buf[i] <= 57; i++) v = v * 10 + buf[i] - 48;
    out[k] = neg ? -v : v;
  }
  return i > n ? undefined : { nice: out[0], numThreads: out[1] };
}

let memTotalCache = 0;

/** MemTotal of /proc/meminfo in bytes, read once (0 when unreadable). */
export function memTotalBytes(): number {
  if (memTotalCache > 0) return memTotalCache;
  try {
    const m = /^MemTotal:\s+(\d+) kB/m.exec(readSmall('/proc/meminfo'));
    if (m) memTotalCache = Number(m[1]) * 1024;
  } catch {
    // stays 0
  }
  return memTotalCache;
}

const SMALL_BUF = Buffer.allocUnsafe(4096);

/** Read up to max bytes at offset 0 of a /proc file into SMALL_BUF; -1 on any error. */
function readIntoSmall(path: string, max: number): number {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return fs.readSync(fd, SMALL_BUF, 0, max, 0);
  } catch {
    return -1;
  } finally {
    fs.closeSync(fd);
  }
}

/** Real uid (first number of the `Uid:` line of /proc/PID/status); undefined when unreadable. */
export function readRealUid(pid: number): number | undefined {
  const n = readIntoSmall(`/proc/${pid}/status`, 1024); // Uid: is the 9th line, well inside 1 KiB
  if (n <= 0) return undefined;
  const at = SMALL_BUF.subarray(0, n).indexOf('\nUid:');
  if (at < 0) return undefined;
  let i = at + 5;
  while (i < n && (SMALL_BUF[i] === 0x09 || SMALL_BUF[i] === 0x20)) i++;
  let uid = 0;
  const from = i;
  for (; i < n && SMALL_BUF[i] >= 48 && SMALL_BUF[i] <= 57; i++) uid = uid * 10 + SMALL_BUF[i] - 48;
  return i > from ? uid : undefined;
}

/** argv[0] from the first 4 KiB of /proc/PID/cmdline (the whole text when it has no NUL); undefined when empty or unreadable. */
export function readArgv0(pid: number): string | undefined {
  const n = readIntoSmall(`/proc/${pid}/cmdline`, SMALL_BUF.length);
  if (n <= 0) return undefined;
  const nul = SMALL_BUF.indexOf(0);
  const end = nul < 0 || nul >= n ? n : nul;
  return end === 0 ? undefined : SMALL_BUF.toString('utf8', 0, end);
}

/** Direct children; reads the single /proc/PID/task/PID/children file when the process has one thread, else childrenOf(). */
export function directChildren(pid: number, numThreads: number): number[] {
  if (numThreads !== 1) return childrenOf(pid);
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/task/${pid}/children`, 'r');
  } catch {
    return [];
  }
  const out: number[] = [];
  let value = -1;
  try {
    for (;;) {
      const got = fs.readSync(fd, SMALL_BUF, 0, SMALL_BUF.length, null);
      if (got === 0) break;
      for (let i = 0; i < got; i++) {
        const c = SMALL_BUF[i];
        if (c >= 48 && c <= 57) value = (value < 0 ? 0 : value * 10) + c - 48;
        else if (value >= 0) {
          out.push(value);
          value = -1;
        }
      }
    }
  } catch {
    // vanished while reading: keep what we have
  } finally {
    fs.closeSync(fd);
  }
  if (value >= 0) out.push(value);
  return out;
}

/** Resident set size in bytes (field 2 of /proc/PID/statm); undefined when unreadable. */
export function readRssBytes(pid: number): number | undefined {
  const n = readIntoSmall(`/proc/${pid}/statm`, 256);
  if (n <= 0) return undefined;
  const pages = Number(SMALL_BUF.toString('latin1', 0, n).split(' ')[1]);
  return Number.isFinite(pages) ? pages * pageSize() : undefined;
}

/** Open file descriptors (entries of /proc/PID/fd); undefined when unreadable (gone, or another user's without privileges). */
export function countFds(pid: number): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
