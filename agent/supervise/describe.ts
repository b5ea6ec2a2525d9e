/** Exit statuses and durations translated into plain English for operators. */
const EXIT_MEANINGS: Record<number, string> = {
  126: 'command not executable',
  127: 'command not found',
};

/** A measured duration, rounded for reading: "850ms", "1.2s", "5m3s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

/** "exited 0", "exited 127: command not found", "killed by SIGKILL after 30s". */
export function describeExit(code: number | null, signal: string | null, opts: { forcedAfterMs?: number } = {}): string {
  if (signal) {
    const after = opts.forcedAfterMs !== undefined ? ` after ${formatElapsed(opts.forcedAfterMs)}` : '';
    return `killed by ${signal}${after}`;
  }
  const meaning = code !== null ? EXIT_MEANINGS[code] : undefined;
  return meaning ? `exited ${code}: ${meaning}` : `exited ${code}`;
}

/** Node's spawn errors (ENOENT, EACCES…) as an operator would say them. */
export function describeSpawnError(err: NodeJS.ErrnoException, file: string): string {
  switch (err.code) {
    case 'ENOENT': return `cannot start ${file}: not found`;
    case 'EACCES': return `cannot start ${file}: permission denied`;
    case 'EAGAIN': return `cannot start ${file}: the system refused a new process: the user's process limit (RLIMIT_NPROC, ulimit -u) or the system's (kernel.pid_max, threads-max, cgroup pids.max) is reached`;
    case 'EMFILE': case 'ENFILE': return `cannot start ${file}: too many open files (ulimit -n of ringd, or fs.file-max)`;
    case 'ENOMEM': return `cannot start ${file}: out of memory`;
    default: return `cannot start ${file}: ${err.message}`;
  }
}
