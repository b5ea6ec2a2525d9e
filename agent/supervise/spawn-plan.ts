/**
 * Turns a watcher's config into the exact argv, environment and options of one spawn:
 * substitution, shell or word splitting, rlimits (prlimit), credentials and parent-death signal
 * (setpriv), so that a child never outlives a SIGKILLed ringd.
 */
import { existsSync } from 'node:fs';
import type { StdioOptions } from 'node:child_process';
import type { WatcherConfig } from '../config/types.ts';
import { substitute, shellSplit, quoteWord } from '../config/index.ts';
import { userById } from '../config/users.ts';
import { fdLayout } from '../sockets/passing.ts';
import type { BoundSocket } from '../sockets/types.ts';
import { DEFAULT_CHILD_PATH, SPAWN_MARKER_ENV } from '../defaults.ts';

export interface SpawnPlan {
  file: string;
  argv: string[];
  /** The program the operator asked for (for error messages). */
  program: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdio: StdioOptions;
  /** The stdio index of the readiness pipe (ready_notify = "fd"), if any. */
  readyFd?: number;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

export function wrappersAvailable(): { setpriv: boolean; prlimit: boolean } {
  return { setpriv: SETPRIV !== undefined, prlimit: PRLIMIT !== undefined };
}

export interface SpawnVars {
  wid: number;
  marker: string;
  /** Sockets given to this process, in fd order (3, 4, …). */
  sockets?: BoundSocket[];
  /** A socket to put on stdin (stdin_socket). */
  stdinSocket?: BoundSocket;
  /** $NOTIFY_SOCKET for ready_notify = "systemd". */
  notifySocket?: string;
}

/** $(circus.X) lookup at spawn time: wid, name, numprocesses, sockets.NAME (its fd), env.NAME. */
export function spawnLookup(cfg: WatcherConfig, vars: { wid: number; fdOf?: Record<string, number>; pid?: number }): (name: string) => string | undefined {
  const fds = new Map(Object.entries(vars.fdOf ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return (name) => {
    if (name === 'wid') return String(vars.wid);
    if (name === 'pid' && vars.pid !== undefined) return String(vars.pid);
    if (name.startsWith('sockets.')) return fds.get(name.slice(8));
    if (name === 'name') return cfg.name;
    if (name === 'numprocesses') return String(cfg.numprocesses);
    if (name.startsWith('env.')) return cfg.env[name.slice(4)] ?? process.env[name.slice(4)];
    return undefined;
  };
}

function commandArgv(cfg: WatcherConfig, sub: (s: string) => string): string[] {
  const args = cfg.args.map(sub);
  if (cfg.shell) {
    const line = [sub(cfg.cmd), ...args.map(quoteWord)].join(' ');
    return ['/bin/sh', '-c', line, ...cfg.shell_args.map(sub)];
  }
  const words = [...shellSplit(sub(cfg.cmd)), ...args];
  if (cfg.executable) words[0] = sub(cfg.executable);
  return words;
}

function wrapperArgv(cfg: WatcherConfig): string[] {
  const out: string[] = [];
  const limits = Object.entries(cfg.rlimits);
  if (limits.length && PRLIMIT) {
    out.push(PRLIMIT, ...limits.map(([k, v]) => `--${k}=${v === null ? 'unlimited' : `${v}:${v}`}`), '--');
  }
  if (SETPRIV) {
    out.push(SETPRIV, '--pdeathsig', 'KILL');
    const uid = cfg.uid ?? process.getuid?.();
    const gid = cfg.gid ?? process.getgid?.();
    if (cfg.uid !== undefined || cfg.gid !== undefined) {
      // Supplementary groups come from /etc/group when the uid has an account, else none.
      const groups = uid !== undefined && userById(uid) ? '--init-groups' : '--clear-groups';
      out.push('--reuid', String(uid), '--regid', String(gid), groups);
    }
    out.push('--');
  }
  return out;
}

export function spawnPlan(cfg: WatcherConfig, vars: SpawnVars): SpawnPlan {
  const layout = fdLayout(vars.sockets ?? []);
  const sub = (s: string) => substitute(s, spawnLookup(cfg, { wid: vars.wid, fdOf: layout.fdOf }));
  const command = commandArgv(cfg, sub);
  const argv = [...wrapperArgv(cfg), ...command];
  const env: NodeJS.ProcessEnv = cfg.copy_env ? { ...process.env } : {};
  for (const [k, v] of Object.entries(cfg.env)) env[k] = sub(v);
  env.PATH ??= DEFAULT_CHILD_PATH;
  env.RING_WATCHER = cfg.name;
  env.RING_WID = String(vars.wid);
  env[SPAWN_MARKER_ENV] = vars.marker;
  const stdio: StdioOptions = [
    vars.stdinSocket ? vars.stdinSocket.fd : cfg.close_child_stdin ? 'ignore' : 'inherit',
    cfg.close_child_stdout ? 'ignore' : 'pipe',
    cfg.close_child_stderr ? 'ignore' : 'pipe',
    ...layout.stdioExtra,
  ];
  let readyFd: number | undefined;
  if (cfg.ready_notify === 'fd') {
    readyFd = stdio.length;
    stdio.push('pipe');
    env.RING_READY_FD = String(readyFd);
  }
  if (vars.notifySocket) env.NOTIFY_SOCKET = vars.notifySocket;
  return { file: argv[0], argv: argv.slice(1), program: command[0], env, cwd: cfg.working_dir ?? process.cwd(), stdio, readyFd };
}
