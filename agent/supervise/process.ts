/**
 * One process slot of a watcher (its `wid`): spawns the process in its own group, follows it
 * through starting → running → stopping → stopped, restarts it after a crash with backoff
 * (backoff → starting, or fatal), and stops its whole tree. Every transition is an event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ProcessState } from '../../protocol/states.ts';
import { LineSplitter, OutputRing } from '../output/index.ts';
import { backoffDelay, givesUp } from './backoff.ts';
import { describeExit, describeSpawnError } from './describe.ts';
import { spawnLookup, spawnPlan, type SpawnPlan } from './spawn-plan.ts';
import { signalName, substitute, substituteForShell } from '../config/index.ts';
import { isCommandCheck } from '../config/watcher.ts';
import { monotonicMs } from '../clock.ts';
import type { NotifySocket } from './notify.ts';
import { waitReady } from './ready.ts';
import { childrenOf } from './proc.ts';
import { spawnedExited, spawnedWithMarker } from './scan.ts';
import { findTree, killTreeAndWait, signalTree, surelyGone, type TreeQuery } from './tree.ts';
import { stopTree, type ExitStatus } from './stop.ts';
import type { ProcessInfo, SlotHost, SpawnResources, StopRequest } from './slot-types.ts';

export type { ProcessInfo, SlotHost, SpawnResources, StopRequest } from './slot-types.ts';

interface Running {
  child: ChildProcess;
  pid: number;
  marker: string;
  startedAt: number;
  /** monotonicMs() at spawn: uptime and ready_delay never follow a wall-clock jump. */
  startedMono: number;
  /** /proc start time of the process, guarding tree searches against pid reuse. */
  startTicks?: number;
  exited: Promise<ExitStatus>;
  closed: Promise<void>;
  /** Readiness channels (ready_notify) and the socket fds this process got (for ready_check substitution). */
  readyPipe?: Readable;
  notify?: NotifySocket;
  fdOf?: Record<string, number>;
}

export class ProcessSlot {
  state: ProcessState = 'stopped';
  failures = 0;
  lastExit: string | null = null;
  readonly ring: OutputRing;
  private run: Running | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** A spawn in flight, or the handling of an unexpected exit: a stop waits for either first. */
  private spawning: Promise<boolean> | null = null;
  private exitHandling: Promise<void> | null = null;

  constructor(private readonly host: SlotHost, readonly wid: number) {
    this.ring = new OutputRing(host.config().output_lines);
  }

  get pid(): number | null {
    return this.run?.pid ?? null;
  }

  get startedAt(): number | null {
    return this.run?.startedAt ?? null;
  }

  info(): ProcessInfo {
    return {
      wid: this.wid, pid: this.pid, state: this.state, started_at: this.startedAt,
      failures: this.failures, last_exit: this.lastExit,
    };
  }

  /** Spawns the process; resolves true once it runs, false when it could not be started. */
  start(): Promise<boolean> {
    this.clearBackoff();
    if (this.run) return Promise.resolve(true);
    if (this.state === 'fatal' || this.state === 'stopped') this.failures = 0;
    return this.spawnOnce();
  }

  private spawnOnce(): Promise<boolean> {
    const p = this.doSpawn().finally(() => { if (this.spawning === p) this.spawning = null; });
    this.spawning = p;
    return p;
  }

  private doSpawn(): Promise<boolean> {
    const cfg = this.host.config();
    this.transition('starting');
    const marker = this.host.nextMarker();
    let plan: SpawnPlan;
    let res: SpawnResources;
    try {
      res = this.host.spawnResources(marker);
    } catch (err) {
      this.crashed(null, (err as Error).message, 0);
      return Promise.resolve(false);
    }
    try {
      plan = spawnPlan(cfg, { wid: this.wid, marker, sockets: res.sockets, stdinSocket: res.stdinSocket, notifySocket: res.notify?.path });
    } catch (err) {
      res.release();
      res.notify?.close();
      this.crashed(null, `invalid command: ${(err as Error).message}`, 0);
      return Promise.resolve(false);
    }
    const child = spawn(plan.file, plan.argv, { env: plan.env, cwd: plan.cwd, stdio: plan.stdio, detached: true });
    return new Promise((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return; // errors after spawn (e.g. kill) are not start failures
        res.release();
        res.notify?.close();
        this.crashed(null, describeSpawnError(err, plan.program), 0);
        resolve(false);
      });
      child.once('spawn', () => {
        res.release();
        const readyPipe = plan.readyFd !== undefined ? (child.stdio[plan.readyFd] as Readable | null) ?? undefined : undefined;
        this.attach(child, marker, { readyPipe, notify: res.notify, fdOf: res.fdOf });
        resolve(true);
      });
    });
  }

  private attach(child: ChildProcess, marker: string, ready: Pick<Running, 'readyPipe' | 'notify' | 'fdOf'>): void {
    const pid = child.pid!;
    const exited = new Promise<ExitStatus>((r) =>
      child.once('exit', (code, signal) => { spawnedExited(pid); r({ code, signal }); }));
    const closed = Promise.all([this.pipe(child.stdout, 'stdout', pid), this.pipe(child.stderr, 'stderr', pid)])
      .then(() => undefined);
    const run: Running = { child, pid, marker, startedAt: Date.now(), startedMono: monotonicMs(), startTicks: spawnedWithMarker(pid, marker), exited, closed, ...ready };
    this.run = run;
    this.host.childStarted(this, pid, marker);
    this.host.emit({ event: 'spawn', watcher: this.host.name, wid: this.wid, pid });
    this.transition('running');
    void exited.then((st) => {
      run.notify?.close();
      if (this.stopping || this.run !== run) return;
      const handling = this.onUnexpectedExit(run, st).finally(() => { if (this.exitHandling === handling) this.exitHandling = null; });
      this.exitHandling = handling;
    });
  }

  /** Resolves once the running process is ready (ready_delay, ready_check, ready_notify); rejects with why not. */
  whenReady(timeoutMs = this.host.config().ready_timeout): Promise<void> {
    const run = this.run;
    if (!run) return Promise.reject(new Error(`wid ${this.wid} has no running process (${this.lastExit ?? this.state})`));
    const cfg = this.host.config();
    const check = cfg.ready_check === undefined ? undefined
      : (isCommandCheck(cfg.ready_check) ? substituteForShell : substitute)(cfg.ready_check, spawnLookup(cfg, { wid: this.wid, pid: run.pid, fdOf: run.fdOf }));
    return waitReady({ cfg, startedAt: run.startedMono, exited: run.exited, check, readyPipe: run.readyPipe, notify: run.notify }, timeoutMs);
  }

  /** Reads one pipe line by line into the sinks and the ring; resolves at EOF. */
  private pipe(stream: Readable | null, name: 'stdout' | 'stderr', pid: number): Promise<void> {
    if (!stream) return Promise.resolve();
    const splitter = new LineSplitter((line) => {
      const meta = { pid, wid: this.wid, time: Date.now() };
      this.ring.push({ time: meta.time, stream: name, pid, line: line.toString('utf8') });
      this.host.output(name, line, meta);
    });
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      stream.once('error', () => { splitter.end(); resolve(); });
      stream.once('end', () => { splitter.end(); resolve(); });
    });
  }

  private query(run: Running): TreeQuery {
    return { pid: run.pid, pgid: run.pid, sid: run.pid, marker: run.marker, startTime: run.startTicks };
  }

  private async onUnexpectedExit(run: Running, st: ExitStatus): Promise<void> {
    const cfg = this.host.config();
    const q = this.query(run); // no scan when nothing can be left (the usual case); otherwise kill until none is left
    const { killed } = surelyGone(q) ? { killed: [] } : await killTreeAndWait(q, { timeoutMs: cfg.graceful_timeout });
    if (killed.length) this.host.log.warning(`${this.host.name}.${this.wid}: pid ${run.pid} left ${killed.length} process(es) behind; killed them`);
    await this.reap(run, st);
    const uptime = monotonicMs() - run.startedMono;
    if (uptime >= cfg.backoff_reset_after) this.failures = 0;
    this.crashed(run.pid, describeExit(st.code, st.signal), uptime);
  }

  /** Drains output, runs the reap hooks and emits `reap`: the end of one process's life. */
  private async reap(run: Running, st: ExitStatus, reason?: string): Promise<void> {
    await this.host.hook('before_reap', { pid: run.pid, wid: this.wid });
    await run.closed;
    this.run = null;
    this.lastExit = reason ?? describeExit(st.code, st.signal);
    this.host.childEnded(this, run.pid);
    this.host.emit({
      event: 'reap', watcher: this.host.name, wid: this.wid, pid: run.pid,
      exit_code: st.code, signal: st.signal, reason: this.lastExit,
    });
    await this.host.hook('after_reap', { pid: run.pid, wid: this.wid, exitCode: st.code, exitSignal: st.signal });
  }

  /** A process ended (or never started) without being asked to: respawn, back off or give up. */
  private crashed(pid: number | null, reason: string, uptime: number): void {
    this.lastExit = reason;
    if (this.stopping) return;
    if (!this.host.mayRespawn()) {
      this.transition('stopped', reason, pid);
      this.host.slotSettled(this);
      return;
    }
    const cfg = this.host.config();
    const policy = { base: cfg.backoff_base, max: cfg.backoff_max, jitter: cfg.backoff_jitter, maxRetry: cfg.max_retry };
    this.failures++;
    if (givesUp(policy, this.failures)) {
      const why = `gave up after ${this.failures} failures in a row (max_retry = ${cfg.max_retry}); last: ${reason}`;
      this.transition('fatal', why, pid);
      this.host.emit({ event: 'fatal', watcher: this.host.name, wid: this.wid, failures: this.failures, reason: why });
      this.host.log.error(`${this.host.name}.${this.wid}: ${why}`);
      this.host.slotSettled(this);
      return;
    }
    const delay = backoffDelay(policy, this.failures);
    this.host.log.warning(`${this.host.name}.${this.wid}: ${reason} after ${uptime}ms; restarting${delay ? ` in ${delay}ms` : ''}`);
    if (delay === 0) { void this.spawnOnce(); return; }
    if (this.failures === 2) {
      this.host.emit({ event: 'flapping', watcher: this.host.name, wid: this.wid, failures: this.failures, reason });
    }
    this.transition('backoff', reason, pid);
    this.host.emit({ event: 'backoff', watcher: this.host.name, wid: this.wid, delay, failures: this.failures, reason });
    this.backoffTimer = setTimeout(() => { this.backoffTimer = null; void this.spawnOnce(); }, delay);
  }

  private clearBackoff(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  /**
   * Sends a signal to the process (`process`), its direct children (`children`), one child
   * (`child`, which must be a child of the process), or every member of its tree (`tree`).
   * Returns the pids signalled.
   */
  signal(sig: number, target: 'process' | 'children' | 'tree' = 'process', child?: number): number[] {
    if (!this.run) return [];
    let pids: number[];
    switch (target) {
      case 'process': pids = [this.run.pid]; break;
      case 'children': pids = child !== undefined ? childrenOf(this.run.pid).filter((c) => c === child) : childrenOf(this.run.pid); break;
      case 'tree': pids = findTree(this.query(this.run)); break;
    }
    signalTree(pids, sig);
    return pids;
  }

  /**
   * Stops the whole tree: stop_signal (or `signal`), graceful_timeout (or `gracefulTimeout`), then
   * SIGKILL; resolves when nothing is left. `graceful: false` SIGKILLs at once.
   */
  stop(opts: StopRequest = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.doStop(opts).finally(() => { this.stopping = null; });
    return this.stopping;
  }

  private async doStop(req: StopRequest): Promise<void> {
    const graceful = req.graceful ?? true;
    this.clearBackoff();
    await this.spawning;
    await this.exitHandling;
    this.clearBackoff();
    const run = this.run;
    if (!run) {
      if (this.state !== 'stopped') this.transition('stopped');
      return;
    }
    this.transition('stopping');
    const cfg = this.host.config();
    const signal = graceful ? req.signal ?? cfg.stop_signal : 9;
    const outcome = await stopTree(this.query(run), run.exited, {
      signal,
      stopChildren: cfg.stop_children,
      gracefulTimeout: graceful ? req.gracefulTimeout ?? cfg.graceful_timeout : 0,
      beforeSignal: (signum) => this.host.hook('before_signal', { pid: run.pid, wid: this.wid, signum }).then((r) => r.proceed),
      afterSignal: (signum) => {
        this.host.emit({ event: 'kill', watcher: this.host.name, wid: this.wid, pid: run.pid, signal: signum });
        void this.host.hook('after_signal', { pid: run.pid, wid: this.wid, signum });
      },
    });
    await this.reap(run, outcome.status, outcome.forcedAfterMs !== undefined
      ? describeExit(outcome.status.code, outcome.status.signal, { forcedAfterMs: outcome.forcedAfterMs }) : undefined);
    if (outcome.forcedAfterMs !== undefined) {
      this.host.log.warning(`${this.host.name}.${this.wid}: pid ${run.pid} ${this.lastExit} (${signalName(signal)} was not enough)`);
    }
    this.transition('stopped', this.lastExit ?? undefined, run.pid);
  }

  private transition(to: ProcessState, reason?: string, pid: number | null = this.pid): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.host.emit({ event: 'state', watcher: this.host.name, wid: this.wid, pid, from, to, reason });
  }
}
