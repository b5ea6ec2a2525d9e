/**
 * Readiness of a new process: it has run for ready_delay, its ready_check passes (TCP connect,
 * HTTP status < 400, or a command exiting 0, retried), and it told us so when ready_notify asks
 * (a newline on $RING_READY_FD, or READY=1 on $NOTIFY_SOCKET). Reloads wait for it.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../clock.ts';
import { READY_CHECK_INTERVAL_MS } from '../defaults.ts';
import type { WatcherConfig } from '../config/types.ts';
import { formatDuration } from '../config/index.ts';
import { describeExit } from './describe.ts';
import type { NotifySocket } from './notify.ts';
import type { ExitStatus } from './stop.ts';

/** One attempt of a check may take this long. */
const CHECK_ATTEMPT_TIMEOUT_MS = 5000;

export interface ReadySubject {
  cfg: WatcherConfig;
  /** monotonicMs() when the process started. */
  startedAt: number;
  exited: Promise<ExitStatus>;
  /** ready_check with $(circus.wid), $(circus.pid), $(circus.sockets.X) substituted. */
  check?: string;
  readyPipe?: Readable;
  notify?: NotifySocket;
}

function tcpCheck(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: CHECK_ATTEMPT_TIMEOUT_MS });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

async function httpCheck(url: string): Promise<boolean> {
  // Loaded on the first HTTP check: node:https brings TLS, megabytes a config without HTTP checks never needs.
  const { get } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = get(url, { timeout: CHECK_ATTEMPT_TIMEOUT_MS, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => { req.destroy(); resolve(false); });
  });
}

function commandCheck(cmd: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, CHECK_ATTEMPT_TIMEOUT_MS);
    child.once('error', () => { clearTimeout(timer); resolve(false); });
    child.once('exit', (code) => { clearTimeout(timer); resolve(code === 0); });
  });
}

/** One attempt of a ready_check string. */
export function runCheck(check: string): Promise<boolean> {
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(check);
  if (tcp) return tcpCheck(tcp[1].replace(/^\[|\]$/g, ''), Number(tcp[2]));
  if (/^https?:\/\//.test(check)) return httpCheck(check);
  return commandCheck(check);
}

function firstNewline(pipe: Readable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => { if (chunk.includes(10)) finish(); };
    const onEnd = () => { cleanup(); reject(new Error('closed $RING_READY_FD without writing a newline')); };
    const cleanup = () => { pipe.off('data', onData); pipe.off('end', onEnd); signal.removeEventListener('abort', onAbort); };
    const finish = () => { cleanup(); resolve(); };
    const onAbort = () => { cleanup(); reject(new Error('aborted')); };
    pipe.on('data', onData);
    pipe.once('end', onEnd);
    signal.addEventListener('abort', onAbort);
  });
}

async function steps(s: ReadySubject, signal: AbortSignal, progress: (what: string) => void): Promise<void> {
  if (s.readyPipe) {
    progress('a newline on $RING_READY_FD');
    await firstNewline(s.readyPipe, signal);
  }
  if (s.notify) {
    progress('READY=1 on $NOTIFY_SOCKET');
    await s.notify.ready(signal);
  }
  if (s.check) {
    progress(`ready_check ${s.check} to pass`);
    while (!(await runCheck(s.check))) {
      if (signal.aborted) throw new Error('aborted');
      await sleep(READY_CHECK_INTERVAL_MS);
    }
  }
  const wait = s.startedAt + s.cfg.ready_delay - monotonicMs();
  if (wait > 0) {
    progress(`ready_delay ${formatDuration(s.cfg.ready_delay)}`);
    await sleep(wait);
  }
}

/** Resolves when ready; rejects with the reason (exited, or what it was still waiting for at the deadline). */
export async function waitReady(s: ReadySubject, timeoutMs: number): Promise<void> {
  const ctl = new AbortController();
  let waitingFor = 'the process to start';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${formatDuration(timeoutMs)} (waiting for ${waitingFor})`)), timeoutMs);
  });
  const exited = s.exited.then((st) => { throw new Error(`${describeExit(st.code, st.signal)} before it was ready`); });
  try {
    await Promise.race([steps(s, ctl.signal, (w) => { waitingFor = w; }), timeout, exited]);
  } finally {
    clearTimeout(timer);
    ctl.abort();
    exited.catch(() => undefined);
  }
}
