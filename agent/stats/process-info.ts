/** Circus-compatible per-process statistics (the `stats`/`dstats`/stats-stream "process info" object) read from /proc. */

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CLK_TCK, isDeadState, parseStat, startTimeMs, type ProcStat } from '../supervise/proc.ts';
import { directChildren, memTotalBytes, parseStatExtra, readArgv0, readRealUid, type ProcStatExtra } from './procfs.ts';
import { userById } from '../config/users.ts';

/**
 * One process as Circus reports it (circus.util.get_info); `children` are the same objects, recursively. A type alias
 * rather than an interface so that it is assignable to Record<string, unknown> (JSON payloads).
 */
export type ProcessInfo = {
  mem_info1: string; // RSS in bytes2human form ("17.81M")
  mem_info2: string; // VMS, same form
  cpu: number; // % of one CPU since the previous sample of this pid, 1 decimal; 0.0 on the first sample
  mem: number; // % of MemTotal, 3 decimals
  ctime: string; // total CPU time (user + system), "m:ss.cc"
  pid: number;
  username: string; // of the real uid; the numeric string when there is no account
  nice: number;
  create_time: number; // epoch seconds, 2 decimals
  age: number; // seconds since start
  cmdline: string; // basename of the first word of argv[0]; comm when the command line is empty
  children: ProcessInfo[];
};

/** Descendant levels listed under a sampled process. */
export const MAX_CHILD_DEPTH = 4;
const SYMBOLS = ['K', 'M', 'G', 'T', 'P'];
const USER_TTL_MS = 60_000;

/** psutil/Circus bytes2human: "%.2f" of n / 1024^k with suffix K..P (Python's round-half-even on exact ties); "<n>B" below 1 KiB. */
export function bytes2human(n: number): string {
  for (let k = SYMBOLS.length; k >= 1; k--) {
    const d = 2 ** (10 * k);
    if (n < d) continue;
    let whole = Math.floor(n / d);
    const scaled = (n - whole * d) * 100; // exact below 1 PiB
    let cents = Math.floor(scaled / d);
    const rem = scaled - cents * d;
    if (2 * rem > d || (2 * rem === d && cents % 2 === 1)) cents++;
    if (cents === 100) {
      whole++;
      cents = 0;
    }
    return `${whole}.${String(cents).padStart(2, '0')}${SYMBOLS[k - 1]}`;
  }
  return `${n}B`;
}

/**
 * CPU clock ticks as "m:ss.cc" (total minutes, unbounded). Circus prints minutes modulo 60 and the first two digits
 * of the microseconds ("0:00.0" for zero, ".50" for 0.05 s); we print proper hundredths.
 */
export function formatCpuTime(ticks: number): string {
  const cs = Math.floor((ticks * 100) / CLK_TCK);
  const s = Math.floor(cs / 100);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/** Circus's cmdline field: basename(shlex.split(argv[0])[0]), approximated as the first whitespace-separated word. */
export function commandName(argv0: string): string {
  const word = argv0.trim().split(/\s/, 1)[0];
  const base = word.slice(word.lastIndexOf('/') + 1);
  return base === '' ? word : base;
}

/**
 * What the sampler remembers about one pid. The stat fd is kept open (-1: not cached): once the process is reaped,
 * reads fail with ESRCH, so a recycled pid is never misread. `comm` is the comm `name` was computed for (an exec
 * changes comm, which invalidates the cached cmdline); `root` is the pid given to sample() when this one was last read
 * (itself or an ancestor), `epoch` the prune epoch of that read.
 */
interface Track {
  fd: number;
  starttime: number;
  ticks: number;
  at: number;
  comm: string;
  name: string;
  root: number;
  epoch: number;
}

export interface ProcSamplerOptions {
  /** Clock in epoch milliseconds; defaults to a monotonic epoch clock (performance.timeOrigin + performance.now()). */
  now?: () => number;
  /** At most this many /proc/PID/stat fds stay open (default 2048); beyond that files are opened per read. */
  maxOpenFds?: number;
}

/**
 * Samples processes every cycle. Keeps per-pid cpu history, the open stat fd and the cached cmdline until prune()
 * (call it once per cycle with the pids still supervised) or close().
 */
export class ProcSampler {
  private readonly now: () => number;
  private readonly maxOpenFds: number;
  private readonly tracks = new Map<number, Track>();
  private readonly users = new Map<number, { name: string; at: number }>();
  private readonly buf = Buffer.allocUnsafe(4096);
  private openFds = 0;
  private epoch = 0;

  constructor(opts: ProcSamplerOptions = {}) {
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
    this.maxOpenFds = opts.maxOpenFds ?? 2048;
  }

  /** Info of one process (children down to MAX_CHILD_DEPTH unless children: false); undefined when gone or a zombie. */
  sample(pid: number, opts: { children?: boolean } = {}): ProcessInfo | undefined {
    return this.read(pid, this.now(), opts.children === false ? 0 : MAX_CHILD_DEPTH, pid);
  }

  /** Forget pids not in live, except descendants read (since the previous prune) under a root that is in live. */
  prune(live: Set<number>): void {
    for (const [pid, t] of this.tracks) {
      if (!live.has(pid) && !(t.epoch === this.epoch && live.has(t.root))) this.forget(pid);
    }
    this.epoch++;
  }

  /** Pids with history (for tests and diagnostics). */
  get size(): number {
    return this.tracks.size;
  }

  /** Forget everything and close every cached fd. */
  close(): void {
    for (const pid of [...this.tracks.keys()]) this.forget(pid);
  }

  private read(pid: number, now: number, depth: number, root: number): ProcessInfo | undefined {
    let t = this.tracks.get(pid);
    let n = t ? this.readCached(t) : -1;
    let fd = -1;
    if (n < 0) {
      if (t && t.fd >= 0) {
        this.forget(pid); // ESRCH: exited, and the pid may already be another process
        t = undefined;
      }
      ({ fd, n } = this.readFresh(pid));
    }
    const st = n < 0 ? undefined : parseStat(this.buf, n);
    const extra = st && parseStatExtra(this.buf, n);
    if (!st || !extra || isDeadState(st.state)) {
      if (fd >= 0) this.closeFd(fd);
      if (t) this.forget(pid);
      return undefined;
    }
    if (t && t.starttime !== st.starttime) {
      this.forget(pid);
      t = undefined;
    }
    const ticks = st.utime + st.stime;
    let cpu = 0;
    if (t) {
      const dt = now - t.at;
      if (dt > 0 && ticks >= t.ticks) cpu = Math.round(((ticks - t.ticks) * 1e6) / CLK_TCK / dt) / 10;
      if (fd >= 0) t.fd = fd;
    } else {
      t = { fd, starttime: st.starttime, ticks, at: now, comm: '', name: '', root, epoch: this.epoch };
      this.tracks.set(pid, t);
    }
    t.ticks = ticks;
    t.at = now;
    t.root = root;
    t.epoch = this.epoch;
    if (t.comm !== st.comm || t.name === '') {
      const argv0 = readArgv0(pid);
      t.name = (argv0 === undefined ? '' : commandName(argv0)) || st.comm;
      t.comm = st.comm;
    }
    return this.info(st, extra, cpu, t.name, now, depth, root);
  }

  private info(st: ProcStat, extra: ProcStatExtra, cpu: number, name: string, now: number, depth: number, root: number): ProcessInfo {
    const pid = st.pid;
    const startMs = startTimeMs(st);
    const total = memTotalBytes();
    const children: ProcessInfo[] = [];
    if (depth > 0) {
      for (const child of directChildren(pid, extra.numThreads)) {
        const info = this.read(child, now, depth - 1, root);
        if (info) children.push(info);
      }
    }
    return {
      mem_info1: bytes2human(st.rss),
      mem_info2: bytes2human(st.vsize),
      cpu,
      mem: total > 0 ? Math.round((st.rss / total) * 1e5) / 1000 : 0,
      ctime: formatCpuTime(st.utime + st.stime),
      pid,
      username: this.username(pid, now),
      nice: extra.nice,
      create_time: Math.round(startMs / 10) / 100,
      age: Math.max(0, (now - startMs) / 1000),
      cmdline: name,
      children,
    };
  }

  /** Name of the real uid (re-read every sample: processes drop privileges); the numeric string when no account. */
  private username(pid: number, now: number): string {
    const uid = readRealUid(pid);
    if (uid === undefined) return 'N/A';
    const hit = this.users.get(uid);
    if (hit && now - hit.at < USER_TTL_MS) return hit.name;
    const name = userById(uid)?.name ?? String(uid);
    this.users.set(uid, { name, at: now });
    return name;
  }

  /** pread the cached stat fd into buf; -1 when there is none or the process is gone. */
  private readCached(t: Track): number {
    if (t.fd < 0) return -1;
    try {
      return fs.readSync(t.fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return -1;
    }
  }

  /** Open /proc/PID/stat and read it; the fd is returned open when the cache has room, else closed (-1). */
  private readFresh(pid: number): { fd: number; n: number } {
    let fd: number;
    try {
      fd = fs.openSync(`/proc/${pid}/stat`, 'r');
    } catch {
      return { fd: -1, n: -1 };
    }
    let n = -1;
    try {
      n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
    } catch {
      // exited between open and read
    }
    if (n < 0 || this.openFds >= this.maxOpenFds) {
      fs.closeSync(fd);
      return { fd: -1, n };
    }
    this.openFds++;
    return { fd, n };
  }

  private closeFd(fd: number): void {
    fs.closeSync(fd);
    this.openFds--;
  }

  private forget(pid: number): void {
    const t = this.tracks.get(pid);
    if (!t) return;
    if (t.fd >= 0) this.closeFd(t.fd);
    this.tracks.delete(pid);
  }
}
