/** ringd's implementation of the AgentApi that every command runs against, over its arbiter. */
import type { Inventory } from '../../protocol/fleet/messages.ts';
import type {
  AgentApi, ChangeInfo, DiscoveryView, MatchMethod, OutputLineView, ReloadPlanView, SignalTarget, WatcherView,
} from '../../protocol/agent-api.ts';
import { CommandError, ConfigError, ERRNO } from '../../protocol/errors.ts';
import { PROCESS_STATES, WATCHER_STATES } from '../../protocol/states.ts';
import { loadConfig } from '../config/index.ts';
import { applyWatcherOptions, watcherFromOptions, watcherOptionsView } from '../config/runtime.ts';
import { ProcSampler, watcherStatsInfo, type StatsGroup } from '../stats/index.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import type { Watcher } from '../supervise/watcher.ts';
import { agentId } from '../discovery/iface.ts';
import { VERSION } from '../version.ts';
import { matcher } from './match.ts';

export interface ApiHooks {
  /** Stops everything and exits the process (after the reply is sent). */
  quit(): Promise<void>;
  /** Re-reads and applies the config file (the same path as SIGHUP). */
  reloadConfig(): Promise<ReloadPlanView>;
  /** Bound endpoints as actually bound (ports resolved). */
  endpoints(): { endpoint: string; stats_endpoint: string; pubsub_endpoint: string };
  loopLagMs(): number;
  discovery(): DiscoveryView;
  /** The inventory revision (+1 on every process or watcher event). */
  revision(): number;
}


/** Config problems as one errno-3 reason. */
function asCommandError(err: unknown): never {
  if (err instanceof ConfigError) throw new CommandError(err.message.replaceAll('\n', '; '), ERRNO.MESSAGE_ERROR);
  throw err;
}

export function statsGroup(w: Watcher): StatsGroup {
  const processes = w.processes().flatMap((s) => (s.pid !== null && s.startedAt !== null
    ? [{ pid: s.pid, wid: s.wid, started: s.startedAt }] : []));
  return { name: w.name, processes };
}

export class RingdApi implements AgentApi {
  private readonly startedAt = Date.now();

  constructor(private readonly arbiter: Arbiter, readonly sampler: ProcSampler, private readonly hooks: ApiHooks) {}

  names(): string[] {
    return this.arbiter.names();
  }

  private w(name: string): Watcher {
    const found = this.arbiter.find(name);
    if (!found) throw new CommandError(`program ${name} not found`);
    return found;
  }

  watcher(name: string): WatcherView {
    const s = this.w(name).status();
    return { name: s.name, state: s.state, numprocesses: s.numprocesses, pending: s.pending, processes: s.processes };
  }

  match(pattern: string | undefined, method: MatchMethod): string[] {
    if (pattern === undefined) return this.names();
    const test = matcher(pattern, method);
    const names = this.names().filter((n) => test(n));
    if (names.length === 0) throw new CommandError(`program ${pattern} not found`);
    return names;
  }

  async start(names: string[]): Promise<ChangeInfo> {
    return merge(await Promise.all(names.map((n) => this.arbiter.startWatcher(this.w(n).name))));
  }

  async stop(names: string[]): Promise<void> {
    if (names.length === this.names().length) await this.arbiter.stopAll();
    else await Promise.all(names.map((n) => this.arbiter.stopWatcher(this.w(n).name)));
  }

  async restart(names: string[]): Promise<ChangeInfo> {
    if (names.length < this.names().length) return merge(await Promise.all(names.map((n) => this.w(n).restart())));
    // Everything: stop in shutdown order, then start what ran before in start order.
    const running = this.arbiter.status().filter((w) => w.state !== 'stopped').map((w) => w.name);
    const stopped = this.arbiter.status().flatMap((w) => w.processes.map((p) => p.pid).filter((p): p is number => p !== null));
    await this.arbiter.stopAll();
    const started: ChangeInfo[] = [];
    for (const name of running) started.push(await this.arbiter.startWatcher(name));
    return { stopped, ...merge(started) };
  }

  async reload(names: string[], opts: { graceful: boolean; sequential: boolean }): Promise<ChangeInfo> {
    if (!opts.graceful) return this.restart(names);
    return merge(await Promise.all(names.map((n) => this.w(n).reload({ sequential: opts.sequential }))));
  }

  resize(name: string, delta: number): Promise<number> {
    const w = this.w(name);
    const target = Math.max(0, w.config.numprocesses + delta);
    if (w.config.singleton && target > 1) throw new CommandError(`${name} is a singleton: numprocesses must be 0 or 1`);
    return w.setNumprocesses(target);
  }

  kill(name: string, opts: { pid?: number; signum?: number; gracefulTimeout?: number }): Promise<void> {
    return this.w(name).kill({ pid: opts.pid, signal: opts.signum, gracefulTimeout: opts.gracefulTimeout });
  }

  signal(name: string, signum: number, t: SignalTarget): number[] {
    const w = this.w(name);
    const slots = t.pid === undefined ? w.processes() : w.processes().filter((s) => s.pid === t.pid);
    if (t.pid !== undefined && slots.length === 0) throw new CommandError(`process ${t.pid} not found in '${name}'`);
    if (t.childpid !== undefined && t.pid === undefined) throw new CommandError("message invalid 'pid' is missing");
    const target = t.recursive ? 'tree' : t.children || t.childpid !== undefined ? 'children' : 'process';
    const sent = slots.flatMap((s) => s.signal(signum, target, t.childpid));
    if (t.childpid !== undefined && sent.length === 0) throw new CommandError(`process ${t.childpid} is not a child of ${t.pid}`);
    return sent;
  }

  async add(name: string, cmd: string, args: string[], options: Record<string, unknown>, start: boolean): Promise<ChangeInfo | null> {
    if (this.arbiter.find(name)) throw new CommandError(`'${name}' already exist`, ERRNO.COMMAND_ERROR);
    let cfg;
    try {
      cfg = watcherFromOptions(name, cmd, args, options, this.arbiter.config.env);
    } catch (err) {
      asCommandError(err);
    }
    return this.arbiter.add(cfg, start);
  }

  remove(name: string, opts: { stop: boolean }): Promise<void> {
    return this.arbiter.remove(this.w(name).name, opts);
  }

  async set(name: string, options: Record<string, unknown>): Promise<void> {
    const w = this.w(name);
    let next;
    try {
      next = applyWatcherOptions(w.config, options, this.arbiter.config.env);
    } catch (err) {
      asCommandError(err);
    }
    await w.reconfigure(next);
  }

  options(name: string): Record<string, unknown> {
    return watcherOptionsView(this.w(name).config);
  }

  globalOptions(): Record<string, unknown> {
    const a = this.arbiter.config.agent;
    const d = this.arbiter.config.discovery;
    return {
      ...this.hooks.endpoints(),
      check_delay: a.check_interval / 1000,
      multicast_endpoint: d.enabled ? `udp://${d.group}:${d.port}` : null,
      stats_interval: a.stats_interval / 1000,
      warmup_delay: a.warmup_delay / 1000,
      max_request_bytes: a.max_request_bytes,
      loglevel: a.loglevel,
      state_dir: a.state_dir,
      id: agentId(a.id),
      labels: a.labels,
    };
  }

  stats(name: string, opts: { extended: boolean }): Record<string, Record<string, unknown>> {
    return watcherStatsInfo(statsGroup(this.w(name)), this.sampler, opts);
  }

  selfStats(): Record<string, unknown> {
    return { ...(this.sampler.sample(process.pid, { children: false }) ?? {}), children: [] };
  }

  sockets(): Record<string, unknown>[] {
    return this.arbiter.sockets.view() as unknown as Record<string, unknown>[];
  }

  tail(name: string, opts: { wid?: number; pid?: number; lines: number }): OutputLineView[] {
    const lines: OutputLineView[] = [];
    for (const s of this.w(name).processes()) {
      if (opts.wid !== undefined && s.wid !== opts.wid) continue;
      for (const l of s.ring.lines()) if (opts.pid === undefined || l.pid === opts.pid) lines.push({ ...l, wid: s.wid });
    }
    lines.sort((a, b) => a.time - b.time);
    return opts.lines === 0 ? [] : lines.slice(-opts.lines);
  }

  health(): Record<string, unknown> {
    const self = this.sampler.sample(process.pid, { children: false });
    const watchers = Object.fromEntries(WATCHER_STATES.map((s) => [s, 0]));
    const processes = Object.fromEntries(PROCESS_STATES.map((s) => [s, 0]));
    let pending = 0;
    for (const st of this.arbiter.status()) {
      watchers[st.state]++;
      pending += st.pending;
      for (const p of st.processes) processes[p.state]++;
    }
    return {
      version: VERSION, pid: process.pid, boot_id: this.arbiter.bootId, uptime: (Date.now() - this.startedAt) / 1000,
      cpu: self?.cpu ?? 0, rss: process.memoryUsage.rss(), loop_lag_ms: this.hooks.loopLagMs(),
      watchers, processes, pending_commands: pending,
    };
  }

  discovery(): DiscoveryView {
    return this.hooks.discovery();
  }

  inventory(): Inventory {
    const watchers = this.arbiter.status().map((s) => ({ name: s.name, state: s.state, numprocesses: s.numprocesses, processes: s.processes }));
    const a = this.arbiter.config.agent;
    return { id: agentId(a.id), boot: this.arbiter.bootId, rev: this.hooks.revision(), labels: a.labels, watchers, sockets: this.sockets() };
  }

  reloadConfig(): Promise<ReloadPlanView> {
    return this.hooks.reloadConfig().catch(asCommandError);
  }

  async planConfig(): Promise<ReloadPlanView> {
    const next = await loadConfig(this.arbiter.config.file).catch(asCommandError);
    return this.arbiter.plan(next);
  }

  reopenLogs(): Promise<void> {
    return this.arbiter.reopenLogs();
  }

  quit(): Promise<void> {
    return this.hooks.quit();
  }
}

/** One ChangeInfo for several watchers, keys in Circus's order: stopped (when any), started, kept. */
function merge(infos: ChangeInfo[]): ChangeInfo {
  const stopped = infos.some((i) => i.stopped) ? { stopped: infos.flatMap((i) => i.stopped ?? []) } : {};
  return { ...stopped, started: infos.flatMap((i) => i.started), kept: infos.flatMap((i) => i.kept) };
}
