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
export const CLOSE_PAREN = 0x29;
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
export function readSmall(path: string): string {
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

/**
 * One variable of the initial environment of a process. `readable` is false when the environment could not be read
 * or was empty (gone, no permission, kernel thread, zombie, or caught mid-execve): the absence of `value` then says nothing.
 */
export function readEnvVarChecked(pid: number, name: string): { readable: boolean; value?: string } {
  let n: number;
  try {
    n = readEnviron(pid);
  } catch {
    return { readable: false }; // ENOENT, EACCES, ESRCH
  }
  if (n === 0) return { readable: false };
  const env = envBuf.subarray(0, n);
  const key = Buffer.from(`${name}=`);
  let at = env.indexOf(key);
  while (at >= 0) {
    if (at === 0 || env[at - 1] === 0) {
      const start = at + key.length;
      const end = env.indexOf(0, start);
      return { readable: true, value: env.toString('utf8', start, end < 0 ? n : end) };
    }
    at = env.indexOf(key, at + 1);
  }
  return { readable: true };
}

/** Value of one variable in the initial environment of a process; undefined on any error or when absent. */
export function readEnvVar(pid: number, name: string): string | undefined {
  return readEnvVarChecked(pid, name).value;
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
