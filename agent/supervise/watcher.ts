/**
 * A watcher: N process slots of one program, its hooks and output sinks, and a FIFO of mutating
 * operations (start, stop, restart, resize, reconfigure) so commands on it run in order while
 * everything else answers at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HookName, WatcherState } from '../../protocol/states.ts';
import type { RingEventInput } from '../../protocol/events.ts';
import { ERROR_CODES, RingError } from '../../protocol/errors.ts';
import type { WatcherConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { createSink, type Sink } from '../output/index.ts';
import { runHook, type HookContext, type HookResult } from './hooks.ts';
import { ProcessSlot, type ProcessInfo, type SlotHost } from './process.ts';
import { SerialQueue } from './queue.ts';
import { onlyCountDiffers } from './plan.ts';

/** What a watcher needs from its arbiter. */
export interface WatcherHost {
  readonly log: Logger;
  emit(e: RingEventInput): void;
  nextMarker(): string;
  childStarted(watcher: string, pid: number, marker: string): void;
  childEnded(watcher: string, pid: number): void;
}

export interface WatcherStatus {
  name: string;
  state: WatcherState;
  numprocesses: number;
  priority: number;
  depends_on: string[];
  pending: number;
  processes: ProcessInfo[];
}

export class Watcher {
  state: WatcherState = 'stopped';
  private readonly slots = new Map<number, ProcessSlot>();
  private readonly queue = new SerialQueue();
  private sinks: { stdout: Sink; stderr: Sink };
  /** When each running slot's process reaches max_age (+ its random variance). */
  private readonly ageDeadlines = new Map<ProcessSlot, number>();
  private ageRestartQueued = false;
  private readonly slotHost: SlotHost;

  constructor(private cfg: WatcherConfig, private readonly host: WatcherHost) {
    this.sinks = this.openSinks();
    const self = this;
    this.slotHost = {
      name: cfg.name,
      log: host.log,
      config: () => self.cfg,
      emit: (e) => host.emit(e),
      nextMarker: () => host.nextMarker(),
      output: (stream, line, meta) => self.sinks[stream].write(line, meta),
      mayRespawn: () => self.cfg.respawn && (self.state === 'active' || self.state === 'starting'),
      hook: (name, ctx) => self.hook(name, ctx),
      childStarted: (slot, pid, marker) => {
        self.scheduleAge(slot);
        host.childStarted(self.name, pid, marker);
      },
      childEnded: (slot, pid) => {
        self.ageDeadlines.delete(slot);
        host.childEnded(self.name, pid);
      },
      slotSettled: () => self.settle(),
    };
  }

  get name(): string {
    return this.cfg.name;
  }

  get config(): WatcherConfig {
    return this.cfg;
  }

  status(): WatcherStatus {
    return {
      name: this.name, state: this.state, numprocesses: this.cfg.numprocesses, priority: this.cfg.priority,
      depends_on: this.cfg.depends_on, pending: this.queue.length,
      processes: [...this.slots.values()].map((s) => s.info()),
    };
  }

  slot(wid: number): ProcessSlot | undefined {
    return this.slots.get(wid);
  }

  processes(): ProcessSlot[] {
    return [...this.slots.values()];
  }

  /**
   * Queues a start. `after` (e.g. the start of a dependency) is awaited inside the queue, so
   * commands sent later on this watcher still run after this one.
   */
  start(after?: Promise<unknown>): Promise<void> {
    return this.queue.run(async () => {
      await after;
      await this.doStart();
    });
  }

  /** Queues a stop; `after` (e.g. the stop of dependents) is awaited inside the queue. */
  stop(opts: { graceful?: boolean } = {}, after?: Promise<unknown>): Promise<void> {
    return this.queue.run(async () => {
      await after;
      await this.doStop(opts.graceful ?? true);
    });
  }

  restart(): Promise<void> {
    return this.queue.run(async () => {
      await this.doStop(true);
      await this.doStart();
    });
  }

  async setNumprocesses(n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 0) throw new RingError(ERROR_CODES.BAD_ARGUMENT, `numprocesses must be an integer ≥ 0, got ${n}`);
    if (this.cfg.singleton && n > 1) throw new RingError(ERROR_CODES.BAD_ARGUMENT, `${this.name} is a singleton: numprocesses must be 0 or 1`);
    return this.queue.run(async () => {
      this.cfg = { ...this.cfg, numprocesses: n };
      await this.resize();
      return n;
    });
  }

  /** Replaces the configuration: a live resize when only numprocesses changed, else stop and start again. */
  reconfigure(next: WatcherConfig): Promise<void> {
    return this.queue.run(async () => {
      if (onlyCountDiffers(this.cfg, next)) {
        this.cfg = next;
        await this.resize();
        return;
      }
      const wasRunning = this.state !== 'stopped';
      await this.doStop(true);
      await this.closeSinks();
      this.cfg = next;
      this.sinks = this.openSinks();
      this.host.emit({ event: 'updated', watcher: this.name });
      if (wasRunning || next.autostart) await this.doStart();
    });
  }

  /** Stops everything and closes the sinks for good (watcher removed or agent quitting). */
  close(): Promise<void> {
    return this.queue.run(async () => {
      await this.doStop(true);
      await this.closeSinks();
    });
  }

  /** Sends a signal to every process tree of the watcher (or one wid), now, not queued. */
  signal(sig: number, wid?: number): number[] {
    const targets = wid === undefined ? this.processes() : [this.slots.get(wid)].filter((s) => s !== undefined);
    for (const s of targets) s.signal(sig);
    return targets.map((s) => s.pid).filter((p): p is number => p !== null);
  }

  reopenLogs(): Promise<void> {
    return Promise.all([this.sinks.stdout.reopen(), this.sinks.stderr.reopen()]).then(() => undefined);
  }

  /** Called periodically: restarts at most one process past its max_age, through the queue. */
  checkAge(now: number): void {
    if (this.ageRestartQueued || this.state !== 'active') return;
    const expired = [...this.ageDeadlines].find(([slot, at]) => at <= now && slot.state === 'running');
    if (!expired) return;
    const [slot] = expired;
    this.ageRestartQueued = true;
    this.host.log.info(`${this.name}.${slot.wid}: pid ${slot.pid} reached max_age; replacing it`);
    void this.queue.run(async () => {
      try {
        if (this.state !== 'active' || !this.slots.has(slot.wid)) return;
        await slot.stop();
        await slot.start();
      } finally {
        this.ageRestartQueued = false;
      }
    });
  }

  private scheduleAge(slot: ProcessSlot): void {
    if (this.cfg.max_age <= 0) return;
    this.ageDeadlines.set(slot, Date.now() + this.cfg.max_age + Math.random() * this.cfg.max_age_variance);
  }

  private async hook(name: HookName, ctx: Omit<HookContext, 'watcher'>): Promise<HookResult> {
    const cfg = this.cfg.hooks[name];
    if (!cfg) return { hook: name, ok: true, proceed: true, reason: 'not configured', output: '' };
    const result = await runHook(name, cfg, { ...ctx, watcher: this.name });
    const event = result.ok ? 'hook_success' : 'hook_failure';
    this.host.emit({ event, watcher: this.name, hook: name, reason: result.ok ? undefined : result.reason });
    if (!result.ok) {
      const detail = result.output ? `: ${result.output.split('\n').slice(-3).join(' / ')}` : '';
      this.host.log.warning(`${this.name}: hook ${name} failed (${result.reason})${detail}${result.proceed ? '; going on' : ''}`);
    }
    return result;
  }

  private async failStart(hook: HookName, result: HookResult): Promise<never> {
    await this.doStop(true);
    throw new RingError(ERROR_CODES.HOOK_FAILED, `${this.name}: ${hook} hook failed (${result.reason}); watcher stopped`);
  }

  private async doStart(): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'fatal') return;
    const before = await this.hook('before_start', {});
    if (!before.proceed) {
      throw new RingError(ERROR_CODES.HOOK_FAILED, `${this.name}: before_start hook failed (${before.reason}); not started`);
    }
    this.transition('starting');
    for (const slot of this.slots.values()) await slot.stop();
    this.slots.clear();
    await this.grow();
    if ((this.state as WatcherState) !== 'starting') return; // a failed spawn hook stopped it
    const after = await this.hook('after_start', {});
    if (!after.proceed) await this.failStart('after_start', after);
    this.transition('active');
    this.host.emit({ event: 'start', watcher: this.name });
    this.settle();
  }

  /** Spawns slots up to numprocesses, warmup_delay apart, with the spawn hooks. */
  private async grow(): Promise<void> {
    let first = true;
    for (let wid = 1; wid <= this.cfg.numprocesses; wid++) {
      if (this.slots.has(wid)) continue;
      if (!first && this.cfg.warmup_delay > 0) await sleep(this.cfg.warmup_delay);
      first = false;
      const before = await this.hook('before_spawn', { wid });
      if (!before.proceed) await this.failStart('before_spawn', before);
      const slot = new ProcessSlot(this.slotHost, wid);
      this.slots.set(wid, slot);
      if (!(await slot.start())) continue;
      const after = await this.hook('after_spawn', { wid, pid: slot.pid ?? undefined });
      if (!after.proceed) await this.failStart('after_spawn', after);
    }
  }

  private async resize(): Promise<void> {
    const extra = [...this.slots.values()].filter((s) => s.wid > this.cfg.numprocesses);
    await Promise.all(extra.map((s) => s.stop()));
    for (const s of extra) this.slots.delete(s.wid);
    if (this.state === 'active') await this.grow();
    this.settle();
  }

  private async doStop(graceful: boolean): Promise<void> {
    if (this.state === 'stopped') return;
    this.transition('stopping');
    await this.hook('before_stop', {});
    await Promise.all([...this.slots.values()].map((s) => s.stop({ graceful })));
    await Promise.all([this.sinks.stdout.flush(), this.sinks.stderr.flush()]);
    this.host.emit({ event: 'stop', watcher: this.name });
    this.transition('stopped');
    await this.hook('after_stop', {});
  }

  /** Derives the watcher's state from its slots after one settled by itself (fatal, or not respawned). */
  private settle(): void {
    if (this.state !== 'active' && this.state !== 'fatal') return;
    const slots = [...this.slots.values()];
    if (slots.length > 0 && slots.every((s) => s.state === 'fatal')) {
      this.transition('fatal', 'every process gave up');
    } else if (!this.cfg.respawn && slots.every((s) => s.state === 'stopped')) {
      this.transition('stopped', 'every process exited and respawn is off');
      this.host.emit({ event: 'stop', watcher: this.name });
    } else if (this.state === 'fatal' && slots.some((s) => s.state !== 'fatal')) {
      this.transition('active');
    }
  }

  private openSinks(): { stdout: Sink; stderr: Sink } {
    const onError = (err: Error) => this.host.log.error(`${this.name}: output: ${err.message}`);
    return {
      stdout: createSink(this.cfg.stdout_stream, { watcher: this.name, stream: 'stdout', onError }),
      stderr: createSink(this.cfg.stderr_stream, { watcher: this.name, stream: 'stderr', onError }),
    };
  }

  private async closeSinks(): Promise<void> {
    await Promise.all([this.sinks.stdout.close(), this.sinks.stderr.close()]);
  }

  private transition(to: WatcherState, reason?: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.host.emit({ event: 'watcher_state', watcher: this.name, from, to, reason });
  }
}
