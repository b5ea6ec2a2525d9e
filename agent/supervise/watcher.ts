/**
 * A watcher: N process slots of one program and a FIFO of mutating operations (start, stop,
 * restart, reload, kill, resize, reconfigure), so commands on it run in order while everything
 * else answers at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatcherState } from '../../protocol/states.ts';
import type { ChangeInfo } from '../../protocol/agent-api.ts';
import { ERROR_CODES, RingError } from '../../protocol/errors.ts';
import type { WatcherConfig } from '../config/types.ts';
import { classifyChange } from './plan.ts';
import { ProcessSlot, type SlotHost, type StopRequest } from './process.ts';
import { SerialQueue } from './queue.ts';
import { WatcherIO } from './watcher-io.ts';
import { MaxAge } from './max-age.ts';
import type { WatcherHost, WatcherStatus } from './watcher-types.ts';
import { replaceProcesses } from './reload.ts';
import { WatcherSockets } from './watcher-sockets.ts';

export type { OutputEvent, WatcherHost, WatcherStatus } from './watcher-types.ts';

const SIGHUP = 1;
const pidsOf = (slots: Iterable<ProcessSlot>) => [...slots].map((s) => s.pid).filter((p): p is number => p !== null);

export class Watcher {
  state: WatcherState = 'stopped';
  private slots = new Map<number, ProcessSlot>();
  private readonly queue = new SerialQueue();
  readonly io: WatcherIO;
  readonly sockets: WatcherSockets;
  /** When each running slot's process reaches max_age (+ its random variance). */
  private readonly age = new MaxAge();
  /** Removed with `rm --nostop`: its processes finish alone and are not replaced. */
  private detached = false;
  private readonly slotHost: SlotHost;

  constructor(private cfg: WatcherConfig, private readonly host: WatcherHost) {
    this.io = new WatcherIO(() => this.cfg, host.log, (e) => host.emit(e), (l) => host.output(l));
    this.sockets = new WatcherSockets(() => this.cfg.name, host.sockets, host.notifyDir);
    this.slotHost = {
      name: cfg.name,
      log: host.log,
      config: () => this.cfg,
      emit: (e) => host.emit(e),
      nextMarker: () => host.nextMarker(),
      output: (stream, line, meta) => this.io.write(stream, line, meta),
      mayRespawn: () => !this.detached && this.cfg.respawn && (this.state === 'active' || this.state === 'starting'),
      hook: (name, ctx) => this.io.hook(name, ctx),
      childStarted: (slot, pid, marker) => {
        this.age.started(slot, this.cfg);
        host.childStarted(this.name, pid, marker);
      },
      childEnded: (slot, pid) => {
        this.age.ended(slot);
        host.childEnded(this.name, pid);
      },
      slotSettled: () => this.settle(),
      spawnResources: (marker) => this.sockets.resources(this.cfg, marker),
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
      processes: this.processes().map((s) => s.info()),
    };
  }

  slot(wid: number): ProcessSlot | undefined {
    return this.slots.get(wid);
  }

  processes(): ProcessSlot[] {
    return [...this.slots.values()];
  }

  /** Queues a start; `after` (e.g. a dependency's start) is awaited inside the queue, keeping command order. */
  start(after?: Promise<unknown>): Promise<ChangeInfo> {
    return this.queue.run(async () => {
      await after;
      return this.doStart();
    });
  }

  /** Queues a stop; `after` (e.g. the stop of dependents) is awaited inside the queue. */
  stop(opts: { graceful?: boolean } = {}, after?: Promise<unknown>): Promise<void> {
    return this.queue.run(async () => {
      await after;
      await this.doStop(opts.graceful ?? true);
    });
  }

  restart(): Promise<ChangeInfo> {
    return this.queue.run(async () => {
      const stopped = pidsOf(this.slots.values());
      await this.doStop(true);
      return { stopped, ...(await this.doStart()) };
    });
  }

  /**
   * Replaces the processes with new ones without a gap: new processes first, then the old ones
   * stopped (`sequential`: one wid at a time). With send_hup, SIGHUP instead. Not running: a start.
   */
  reload(opts: { sequential: boolean }): Promise<ChangeInfo> {
    return this.queue.run(async () => {
      if (this.state !== 'active') return { stopped: [], ...(await this.doStart()) };
      const old = this.processes();
      if (this.cfg.send_hup) {
        for (const s of old) s.signal(SIGHUP);
        this.host.emit({ event: 'reload', watcher: this.name });
        return { stopped: [], started: [], kept: pidsOf(old) };
      }
      const stopped = pidsOf(old);
      const fresh = await replaceProcesses({
        name: this.name,
        warmup: this.cfg.warmup_delay,
        create: (wid) => new ProcessSlot(this.slotHost, wid),
        install: (slot) => this.slots.set(slot.wid, slot),
        installed: (slot) => this.slots.get(slot.wid) === slot,
      }, old, opts.sequential);
      this.host.emit({ event: 'reload', watcher: this.name });
      return { stopped, started: pidsOf(fresh), kept: [] };
    });
  }

  /** Stops processes (all, or the one with `pid`) with an optional signal and timeout; an active watcher replaces them. */
  async kill(opts: { pid?: number } & StopRequest): Promise<void> {
    const pick = () => (opts.pid === undefined ? this.processes() : this.processes().filter((s) => s.pid === opts.pid));
    if (opts.pid !== undefined && pick().length === 0) {
      throw new RingError(ERROR_CODES.NOT_FOUND, `process ${opts.pid} not found in '${this.name}'`);
    }
    return this.queue.run(async () => {
      const targets = pick(); // the processes that exist when the kill runs, after earlier commands
      await Promise.all(targets.map(async (s) => {
        await s.stop(opts);
        if (this.state === 'active' && this.slots.get(s.wid) === s && !this.detached) await s.start();
      }));
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

  /**
   * Applies a new configuration with the least disturbance: settings of how processes are spawned
   * restart the watcher; anything else applies to the running processes (resizing if needed).
   */
  reconfigure(next: WatcherConfig, opts: { restart?: boolean } = {}): Promise<void> {
    return this.queue.run(async () => {
      const before = this.cfg;
      const change = opts.restart ? 'restart' : classifyChange(before, next);
      if (change === 'unchanged') return;
      if (change === 'restart') {
        const wasRunning = this.state !== 'stopped';
        await this.doStop(true);
        this.cfg = next;
        await this.io.swapIfChanged(before);
        this.host.emit({ event: 'updated', watcher: this.name });
        if (wasRunning || next.autostart) await this.doStart();
        return;
      }
      this.cfg = next;
      await this.io.swapIfChanged(before);
      if (change === 'update') this.host.emit({ event: 'updated', watcher: this.name });
      if (before.numprocesses !== next.numprocesses) await this.resize();
    });
  }

  /** Stops everything and closes the sinks for good (watcher removed or agent quitting). */
  close(): Promise<void> {
    return this.queue.run(async () => {
      await this.doStop(true);
      this.sockets.release();
      await this.io.close();
    });
  }

  /** Leaves the processes to finish alone, never replaced (`rm --nostop`). */
  detach(): void {
    this.detached = true;
  }

  /** Whether a process of this watcher has a max_age to reach. */
  get aging(): boolean { return this.age.pending; }

  /** Called periodically: replaces at most one process past its max_age, through the queue. */
  checkAge(now: number): void {
    const slot = this.state === 'active' ? this.age.due(now) : undefined;
    if (!slot) return;
    this.host.log.info(`${this.name}.${slot.wid}: pid ${slot.pid} reached max_age; replacing it`);
    void this.age.replace(() => this.queue.run(async () => {
      if (this.state !== 'active' || this.slots.get(slot.wid) !== slot) return;
      await slot.stop();
      await slot.start();
    }));
  }

  private async failStart(what: string, reason: string): Promise<never> {
    await this.doStop(true);
    throw new RingError(ERROR_CODES.HOOK_FAILED, `${this.name}: ${what} hook failed (${reason}); watcher stopped`);
  }

  private async doStart(): Promise<ChangeInfo> {
    if (this.state !== 'stopped' && this.state !== 'fatal') return { started: [], kept: pidsOf(this.slots.values()) };
    const before = await this.io.hook('before_start', {});
    if (!before.proceed) {
      throw new RingError(ERROR_CODES.HOOK_FAILED, `${this.name}: before_start hook failed (${before.reason}); not started`);
    }
    try {
      this.sockets.acquire(this.cfg);
    } catch (err) {
      this.sockets.release();
      throw new RingError(ERROR_CODES.SPAWN_FAILED, `${this.name}: not started: ${(err as Error).message}`);
    }
    this.transition('starting');
    for (const slot of this.slots.values()) await slot.stop();
    this.slots.clear();
    await this.grow();
    if ((this.state as WatcherState) !== 'starting') return { started: [], kept: [] }; // a failed spawn hook stopped it
    const after = await this.io.hook('after_start', {});
    if (!after.proceed) await this.failStart('after_start', after.reason);
    this.transition('active');
    this.host.emit({ event: 'start', watcher: this.name });
    this.settle();
    return { started: pidsOf(this.slots.values()), kept: [] };
  }

  /** Spawns slots up to numprocesses, warmup_delay apart, with the spawn hooks. */
  private async grow(): Promise<void> {
    let first = true;
    for (let wid = 1; wid <= this.cfg.numprocesses; wid++) {
      if (this.slots.has(wid)) continue;
      if (!first && this.cfg.warmup_delay > 0) await sleep(this.cfg.warmup_delay);
      first = false;
      const before = await this.io.hook('before_spawn', { wid });
      if (!before.proceed) await this.failStart('before_spawn', before.reason);
      const slot = new ProcessSlot(this.slotHost, wid);
      this.slots.set(wid, slot);
      if (!(await slot.start())) continue;
      const after = await this.io.hook('after_spawn', { wid, pid: slot.pid ?? undefined });
      if (!after.proceed) await this.failStart('after_spawn', after.reason);
    }
  }

  private async resize(): Promise<void> {
    const extra = this.processes().filter((s) => s.wid > this.cfg.numprocesses);
    await Promise.all(extra.map((s) => s.stop()));
    for (const s of extra) this.slots.delete(s.wid);
    if (this.state === 'active') await this.grow();
    this.settle();
  }

  private async doStop(graceful: boolean): Promise<void> {
    if (this.state === 'stopped') return;
    this.transition('stopping');
    await this.io.hook('before_stop', {});
    await Promise.all(this.processes().map((s) => s.stop({ graceful })));
    await this.io.flush();
    if (!this.cfg.on_demand) this.sockets.release(); // an on_demand watcher keeps its sockets to wait on them
    this.host.emit({ event: 'stop', watcher: this.name });
    this.transition('stopped');
    await this.io.hook('after_stop', {});
  }

  /** Derives the watcher's state from its slots after one settled by itself (fatal, or not respawned). */
  private settle(): void {
    if (this.state !== 'active' && this.state !== 'fatal') return;
    const slots = this.processes();
    if (slots.length > 0 && slots.every((s) => s.state === 'fatal')) {
      this.transition('fatal', 'every process gave up');
    } else if ((!this.cfg.respawn || this.detached) && slots.every((s) => s.state === 'stopped')) {
      this.sockets.release();
      this.transition('stopped', 'every process exited and respawn is off');
      this.host.emit({ event: 'stop', watcher: this.name });
    } else if (this.state === 'fatal' && slots.some((s) => s.state !== 'fatal')) {
      this.transition('active');
    }
  }

  private transition(to: WatcherState, reason?: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.host.emit({ event: 'watcher_state', watcher: this.name, from, to, reason });
  }
}
