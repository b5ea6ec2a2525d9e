/**
 * The arbiter: every watcher of one agent, started in priority and dependency order, stopped in
 * the reverse order (in parallel where nothing forbids it), reconfigured live, and checked
 * periodically for max_age. It emits every event of its watchers and processes.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeInfo } from '../../protocol/agent-api.ts';
import type { RingEvent, RingEventInput } from '../../protocol/events.ts';
import { ERROR_CODES, RingError } from '../../protocol/errors.ts';
import type { Config, WatcherConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { planReload, type ReloadPlan } from './plan.ts';
import { Watcher, type OutputEvent, type WatcherHost, type WatcherStatus } from './watcher.ts';
import { OnDemand } from './on-demand.ts';
import { AgeChecks } from './age-checks.ts';
import { SocketManager } from '../sockets/manager.ts';
import { join } from 'node:path';

export interface ChildRecord {
  pid: number;
  watcher: string;
  marker: string;
}

export interface ArbiterEvents {
  event: [RingEvent];
  children: [ChildRecord[]];
  output: [OutputEvent]; // every output line of every process (the NATS link follows some)
}

export class Arbiter extends EventEmitter<ArbiterEvents> {
  /** Unique per run of ringd: prefixes every spawn marker so a crashed run's leftovers can be found. */
  readonly bootId: string;
  private cfg: Config;
  private readonly watchers = new Map<string, Watcher>();
  private readonly children = new Map<number, ChildRecord>();
  private markerSeq = 0;
  private readonly checks: AgeChecks;
  private readonly host: WatcherHost;
  readonly sockets: SocketManager;
  private socketsBound = false;
  private closing = false;
  private readonly onDemand: OnDemand;

  constructor(config: Config, private readonly log: Logger, bootId = randomBytes(6).toString('hex')) {
    super();
    this.bootId = bootId;
    this.cfg = config;
    this.sockets = new SocketManager(log);
    this.onDemand = new OnDemand(log, (name) => this.startWatcher(name));
    this.checks = new AgeChecks(() => this.watchers.values(), () => this.cfg.agent.check_interval);
    this.host = {
      log,
      sockets: this.sockets,
      notifyDir: join(config.agent.state_dir, 'notify'),
      emit: (e) => this.publish(e),
      nextMarker: () => `${this.bootId}.${++this.markerSeq}`,
      childStarted: (watcher, pid, marker) => {
        this.children.set(pid, { pid, watcher, marker });
        if (!this.closing && this.watchers.get(watcher)?.aging) this.checks.start();
        this.emit('children', [...this.children.values()]);
      },
      childEnded: (_watcher, pid) => {
        this.children.delete(pid);
        this.emit('children', [...this.children.values()]);
      },
      output: (line) => this.emit('output', line),
    };
    for (const w of config.watchers) this.watchers.set(w.name, new Watcher(w, this.host));
  }

  get config(): Config {
    return this.cfg;
  }

  /** Pids of the processes ringd spawned itself (libuv reaps these). */
  childPids(): Set<number> {
    return new Set(this.children.keys());
  }

  get(name: string): Watcher {
    const w = this.watchers.get(name);
    if (!w) throw new RingError(ERROR_CODES.NOT_FOUND, `no watcher named "${name}"`);
    return w;
  }

  /** Lookup by name, case-insensitive as in Circus (an exact match wins). */
  find(name: string): Watcher | undefined {
    const exact = this.watchers.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    return [...this.watchers.values()].find((w) => w.name.toLowerCase() === lower);
  }

  names(): string[] {
    return [...this.watchers.keys()];
  }

  status(): WatcherStatus[] {
    return [...this.watchers.values()].map((w) => w.status());
  }

  /**
   * Binds every configured socket, so a port in use or a bad path stops ringd at start-up with
   * each socket's name and reason (an AggregateError of SocketErrors).
   */
  bindSockets(): void {
    if (this.socketsBound) return;
    this.sockets.bindAll(this.cfg.sockets);
    this.socketsBound = true;
  }

  /** Starts every autostart watcher in order (dependencies first, then priority), warmup_delay apart; arms on_demand ones. */
  async start(): Promise<void> {
    this.bindSockets();
    this.checks.start();
    let first = true;
    for (const w of this.ordered()) {
      if (w.config.on_demand) {
        this.onDemand.arm(w);
        continue;
      }
      if (!w.config.autostart) continue;
      const missing = w.config.depends_on.filter((d) => this.get(d).state !== 'active');
      if (missing.length) {
        this.log.error(`${w.name}: not started: dependency ${missing.join(', ')} is not running`);
        continue;
      }
      if (!first && this.cfg.agent.warmup_delay > 0) await sleep(this.cfg.agent.warmup_delay);
      first = false;
      await w.start().catch((err: Error) => this.log.error(err.message));
    }
    this.sockets.closeUnused();
  }

  /** Starts one watcher after what it depends on; queued on the watcher at once, so order is kept. */
  startWatcher(name: string): Promise<ChangeInfo> {
    const w = this.get(name);
    const deps = w.config.depends_on.map((d) => this.startWatcher(d));
    return w.start(deps.length ? Promise.all(deps) : undefined);
  }

  /** Stops one watcher after every watcher that depends on it; queued at once, like startWatcher. */
  stopWatcher(name: string, opts: { graceful?: boolean } = {}): Promise<void> {
    const w = this.get(name);
    const dependents = this.dependents(name).map((d) => this.stopWatcher(d.name, opts));
    return w.stop(opts, dependents.length ? Promise.all(dependents) : undefined);
  }

  /** Stops every watcher in order; the agent keeps running (`stop` with no name). */
  stopAll(opts: { graceful?: boolean } = {}): Promise<void> {
    return this.stopInOrder([...this.watchers.values()], opts);
  }

  /** Stops everything for good: a watcher stops once its dependents and every lower-priority watcher stopped. */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    this.checks.stop();
    this.closing = true;
    this.onDemand.disarmAll();
    await this.stopAll(opts);
    await Promise.all([...this.watchers.values()].map((w) => w.close()));
    this.sockets.closeAll();
  }

  /** Applies a new configuration with the least disturbance; returns what was done. */
  async reload(next: Config): Promise<ReloadPlan> {
    const plan = this.plan(next);
    this.sockets.apply(next.sockets); // binds new and changed sockets first: an error here changes nothing
    this.cfg = next;
    const removed = plan.remove.map((n) => this.get(n));
    await this.stopInOrder(removed, {});
    for (const w of removed) {
      this.onDemand.disarm(w.name);
      await w.close();
      this.watchers.delete(w.name);
      this.publish({ event: 'remove', watcher: w.name });
    }
    const byName = new Map(next.watchers.map((w) => [w.name, w]));
    // In parallel: a watcher draining for minutes must not hold up the others' changes.
    const forced = new Set(plan.restart);
    await Promise.all([...plan.restart, ...plan.update, ...plan.resize].map((name) =>
      this.get(name).reconfigure(byName.get(name)!, { restart: forced.has(name) })));
    for (const name of plan.add) {
      const w = new Watcher(byName.get(name) as WatcherConfig, this.host);
      this.watchers.set(name, w);
      this.publish({ event: 'add', watcher: name });
      if (w.config.autostart) await this.startWatcher(name).catch((err: Error) => this.log.error(err.message));
    }
    this.reorder(next);
    this.sockets.closeUnused();
    this.checks.restart();
    return plan;
  }

  /** What reload(next) would do, without doing it. */
  plan(next: Config): ReloadPlan {
    return planReload(this.current(), next, this.sockets.diff(next.sockets));
  }

  reopenLogs(): Promise<void> {
    return Promise.all([...this.watchers.values()].map((w) => w.io.reopen())).then(() => undefined);
  }

  /** The running configuration: the loaded file as changed since by add, rm and set. */
  current(): Config {
    return { ...this.cfg, watchers: [...this.watchers.values()].map((w) => w.config) };
  }

  /** Adds a watcher at run time; `start` starts it (after its dependencies). */
  async add(cfg: WatcherConfig, start: boolean): Promise<ChangeInfo | null> {
    if (this.watchers.has(cfg.name)) throw new RingError(ERROR_CODES.BAD_ARGUMENT, `watcher '${cfg.name}' already exists`);
    for (const dep of cfg.depends_on) this.get(dep);
    const w = new Watcher(cfg, this.host);
    this.watchers.set(cfg.name, w);
    this.publish({ event: 'add', watcher: cfg.name });
    return start ? this.startWatcher(cfg.name) : null;
  }

  /** Removes a watcher: stopped first (after its dependents), or left to finish alone with `stop: false`. */
  async remove(name: string, opts: { stop: boolean }): Promise<void> {
    const w = this.get(name);
    const dependents = this.dependents(name).map((d) => d.name);
    if (dependents.length) throw new RingError(ERROR_CODES.BAD_ARGUMENT, `'${name}' is needed by ${dependents.join(', ')}`);
    this.watchers.delete(name);
    this.onDemand.disarm(name);
    this.publish({ event: 'remove', watcher: name });
    if (opts.stop) await w.close();
    else w.detach();
  }

  private async stopInOrder(targets: Watcher[], opts: { graceful?: boolean }): Promise<void> {
    const done = new Map<string, Promise<void>>();
    const order = this.ordered().filter((w) => targets.includes(w));
    const stopOne = (w: Watcher): Promise<void> => {
      const existing = done.get(w.name);
      if (existing) return existing;
      // Only watchers later in start order are waited for, so the waits can never form a cycle.
      const later = order.slice(order.indexOf(w) + 1);
      const mustWait = later.filter((o) => o.config.depends_on.includes(w.name) || o.config.priority < w.config.priority);
      const p = w.stop(opts, Promise.all(mustWait.map(stopOne)));
      done.set(w.name, p);
      return p;
    };
    await Promise.all(order.map(stopOne));
  }

  private dependents(name: string): Watcher[] {
    return [...this.watchers.values()].filter((w) => w.config.depends_on.includes(name));
  }

  /** Watchers in the configuration's start order. */
  private ordered(): Watcher[] {
    return [...this.watchers.values()];
  }

  private reorder(next: Config): void {
    const all = new Map(this.watchers);
    this.watchers.clear();
    for (const w of next.watchers) {
      const existing = all.get(w.name);
      if (existing) this.watchers.set(w.name, existing);
    }
  }

  /** Publishes an event that did not come from a watcher (e.g. a failed async command). */
  publishEvent(e: RingEventInput): void {
    this.publish(e);
  }

  private publish(e: RingEventInput): void {
    if (e.event === 'watcher_state') this.followOnDemand(e.watcher, e.to);
    this.emit('event', { ...e, time: Date.now() } as RingEvent);
  }

  /** An on_demand watcher is armed whenever it is stopped, and not while it starts or runs. */
  private followOnDemand(name: string, to: string): void {
    const w = this.watchers.get(name);
    if (!w?.config.on_demand) return;
    if (to === 'starting') this.onDemand.disarm(name);
    else if (to === 'stopped' && !this.closing) queueMicrotask(() => { if (this.watchers.get(name) === w) this.onDemand.arm(w); });
  }
}
