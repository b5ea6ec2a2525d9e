/** Fast, allocation-light readers for Linux /proc: per-process stat, environment, children and boot time. */

import fs from 'node:fs';

/** One parsed line of /proc/PID/stat (see proc(5)). */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks (CLK_TCK per second). */
  utime: number;
  /** Clock ticks. */
  stime: number;
  /** Clock ticks since boot. */
  starttime: number;
  /** Bytes. */
  vsize: number;
  /** Bytes. */
  rss: number;
}

/** Kernel USER_HZ. Always 100 on Linux x86/arm; `getconf` is deliberately not spawned at runtime. */
export const CLK_TCK = 100;

const STAT_BUF = Buffer.allocUnsafe(4096);
const CLOSE_PAREN = 0x29;
const OPEN_PAREN = 0x28;

let pageSizeCache = 0;

/** Kernel page size in bytes (from /proc/self/smaps once; 4096 when unreadable). */
export function pageSize(): number {
  if (pageSizeCache > 0) return pageSizeCache;
  pageSizeCache = 4096;
  try {
    const m = /KernelPageSize:\s+(\d+) kB/.exec(readSmall('/proc/self/smaps'));
    if (m) pageSizeCache = Number(m[1]) * 1024;
  } catch {
    // keep the default
  }
  return pageSizeCache;
}

/** Read at most the first 4 KiB of a /proc file (own buffer: never clobbers STAT_BUF); throws on error. */
function readSmall(path: string): string {
  const buf = Buffer.allocUnsafe(4096);
  const fd = fs.openSync(path, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Parse /proc/PID/stat; undefined if the process does not exist (or vanished while reading). */
export function readStat(pid: number): ProcStat | undefined {
  let n: number;
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  try {
    n = fs.readSync(fd, STAT_BUF, 0, STAT_BUF.length, 0);
  } catch {
    return undefined; // ESRCH: exited and reaped between open and read
  } finally {
    fs.closeSync(fd);
  }
  return parseStat(STAT_BUF, n);
}

/** Stat fields (0 = state, counted after the closing parenthesis) that we keep, as numbers. */
const NUM_FIELDS = 22;
const FIELDS = new Float64Array(NUM_FIELDS);

/** Parse the bytes of a stat line without splitting it into strings. Exported for tests and benchmarks. */
export function parseStat(buf: Buffer, n: number): ProcStat | undefined {
  const open = buf.indexOf(OPEN_PAREN);
  const close = buf.lastIndexOf(CLOSE_PAREN, n - 1);
  if (open < 1 || close < open || close + 2 >= n) return undefined;
  let pid = 0;
  for (let i = 0; i < open - 1; i++) pid = pid * 10 + buf[i] - 48;
  // Field 0 is the one-letter state; fields 1..21 are integers (none negative among those we read).
  let field = 1;
  let value = 0;
  for (let i = close + 4; i < n && field < NUM_FIELDS; i++) {
    const c = buf[i];
    if (c === 0x20 || c === 0x0a) {
      FIELDS[field++] = value;
      value = 0;
    } else {
      value = value * 10 + (c - 48);
    }
  }
  if (field < NUM_FIELDS) return undefined;
  return {
    pid,
    comm: buf.toString('utf8', open + 1, close),
    state: String.fromCharCode(buf[close + 2]),
    ppid: FIELDS[1],
    pgid: FIELDS[2],
    sid: FIELDS[3],
    utime: FIELDS[11],
    stime: FIELDS[12],
    starttime: FIELDS[19],
    vsize: FIELDS[20],
    rss: FIELDS[21] * pageSize(),
  };
}

/** True when the state letter means the process has terminated (zombie or dead). */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** The process exists and is neither a zombie nor dead. */
export function isAlive(pid: number): boolean {
  const st = readStat(pid);
  return st !== undefined && !isDeadState(st.state);
}

/** Every numeric entry of /proc (processes, not threads). */
export function listPids(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

let envBuf = Buffer.allocUnsafe(64 * 1024);

/** Read all of /proc/PID/environ into the shared, growing buffer; returns the byte count. Throws on error. */
function readEnviron(pid: number): number {
  const fd = fs.openSync(`/proc/${pid}/environ`, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === envBuf.length) {
        const bigger = Buffer.allocUnsafe(envBuf.length * 2);
        envBuf.copy(bigger, 0, 0, n);
        envBuf = bigger;
      }
      const got = fs.readSync(fd, envBuf, n, envBuf.length - n, n);
      if (got === 0) return n;
      n += got;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Value of one variable in the initial environment of a process; undefined on any error or when absent. */
export function readEnvVar(pid: number, name: string): string | undefined {
  let n: number;
  try {
    n = readEnviron(pid);
  } catch {
    return undefined; // ENOENT, EACCES, ESRCH
  }
  const env = envBuf.subarray(0, n);
  const key = Buffer.from(`${name}=`);
  let at = env.indexOf(key);
  while (at >= 0) {
    if (at === 0 || env[at - 1] === 0) {
      const start = at + key.length;
      const end = env.indexOf(0, start);
      return env.toString('utf8', start, end < 0 ? n : end);
    }
    at = env.indexOf(key, at + 1);
  }
  return undefined;
}

/** Direct children of a process, from /proc/PID/task/TID/children of every thread. */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out = new Set<number>();
  for (const tid of tasks) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const s of text.split(' ')) if (s !== '' && s !== '\n') out.add(Number(s));
  }
  return [...out];
}

let bootTimeCache = 0;

/** Boot time as epoch milliseconds (btime of /proc/stat, whole seconds), read once. */
export function bootTimeMs(): number {
  if (bootTimeCache > 0) return bootTimeCache;
  const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
  if (!m) throw new Error('no btime in /proc/stat');
  bootTimeCache = Number(m[1]) * 1000;
  return bootTimeCache;
}

/** Start time of a process as epoch milliseconds. */
export function startTimeMs(stat: Pick<ProcStat, 'starttime'>): number {
  return bootTimeMs() + (stat.starttime * 1000) / CLK_TCK;
}

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
