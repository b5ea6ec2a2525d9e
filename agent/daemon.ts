/**
 * The running agent: cleans up a crashed predecessor, starts the arbiter with its state file
 * and guardian, and maps signals (TERM/INT stop, HUP reload, USR1 reopen logs). Never crashes.
 * The fleet link is loaded only for a config that can use it ([nats] servers, or discovery to learn them).
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { RingEvent } from '../protocol/events.ts';
import { ConfigError } from '../protocol/errors.ts';
import { loadConfig } from './config/index.ts';
import type { Config } from './config/types.ts';
import type { Logger } from './log.ts';
import { Arbiter } from './supervise/arbiter.ts';
import { setChildSubreaper } from './supervise/native.ts';
import { Guardian } from './safety/guardian.ts';
import { cleanupLeftovers } from './safety/leftovers.ts';
import { OrphanReaper } from './safety/orphans.ts';
import { StateRecorder } from './safety/state-file.ts';
import { ControlPlane } from './control/plane.ts';
import type { ReloadPlan } from './supervise/plan.ts';
import { AgentDiscovery } from './discovery/agent.ts';
import type { FleetLink } from './fleet/fleet-link.ts';
import { Revision } from './fleet/revision.ts';
import { VERSION } from './version.ts';
import { notifySystemd } from './systemd/notify.ts';

/** One state file per config file, so several ringd on one host never touch each other's children. */
export function stateFileFor(cfg: Config): string {
  const hash = createHash('sha256').update(realpathSync(cfg.file)).digest('hex').slice(0, 12);
  return join(cfg.agent.state_dir, `ringd-${hash}.json`);
}

/** Whether cfg can use NATS: servers configured, or discovery on to learn them from a controller. */
export function wantsFleet(cfg: Config): boolean {
  return cfg.nats.servers.length > 0 || cfg.discovery.enabled;
}

function describeEvent(e: RingEvent): string | undefined {
  switch (e.event) {
    case 'spawn': return `${e.watcher}.${e.wid}: spawned pid ${e.pid}`;
    case 'reap': return `${e.watcher}.${e.wid}: pid ${e.pid} ${e.reason}`;
    case 'watcher_state': return `${e.watcher}: ${e.from} → ${e.to}${e.reason ? ` (${e.reason})` : ''}`;
    default: return undefined;
  }
}

export class Daemon {
  private arbiter!: Arbiter;
  private recorder!: StateRecorder;
  private guardian!: Guardian;
  private stopping: Promise<void> | null = null;
  private reaper: OrphanReaper | null = null;
  private plane: ControlPlane | null = null;
  private discovery!: AgentDiscovery;
  private revision!: Revision;
  private fleet: FleetLink | null = null;

  constructor(private cfg: Config, private readonly log: Logger) {}

  async run(): Promise<void> {
    const stateFile = stateFileFor(this.cfg);
    const report = await cleanupLeftovers(stateFile);
    if (report.killed.length) this.log.warning(`killed ${report.killed.length} leftover process(es) of a previous run: ${report.killed.join(' ')}`);
    for (const s of report.skipped) this.log.info(`left pid ${s.pid} alone: ${s.why}`);
    AgentDiscovery.checkKey(this.cfg); // a bad fleet key refuses the start before anything is bound
    if (!setChildSubreaper()) this.log.warning('could not become a child subreaper: orphans will be reparented to init');
    this.arbiter = new Arbiter(this.cfg, this.log);
    this.revision = new Revision(this.arbiter);
    this.discovery = new AgentDiscovery(this.cfg, this.arbiter.bootId, VERSION, {
      controlEndpoint: () => this.plane?.endpoints().endpoint ?? this.cfg.agent.endpoint,
      counts: () => ({ w: this.arbiter.names().length, p: this.arbiter.childPids().size }),
      natsUrls: () => this.fleet?.natsUrls() ?? [],
      hasNatsConfig: () => this.cfg.nats.servers.length > 0,
    }, this.log);
    this.arbiter.bindSockets();
    try {
      this.plane = await ControlPlane.start(this.cfg, this.arbiter, this.log, {
        quit: async () => {
          await this.shutdown('quit command');
          setImmediate(() => void this.exit(0)); // after the reply is queued; closing drains it
        },
        reloadConfig: () => this.applyConfigFile(),
        discovery: () => this.discovery.view(),
        revision: () => this.revision.value,
      });
    } catch (err) {
      this.arbiter.sockets.closeAll(); // unix socket files must not outlive a failed start
      throw err;
    }
    this.recorder = new StateRecorder(stateFile, this.arbiter.bootId);
    this.guardian = new Guardian(stateFile);
    this.arbiter.on('children', (c) => this.recorder.update(c));
    this.arbiter.on('event', (e) => {
      const line = describeEvent(e);
      if (line) this.log.info(line);
    });
    this.installSignals();
    if (wantsFleet(this.cfg)) await this.startFleet(this.cfg);
    else this.log.info('NATS: off (no [nats] servers configured and discovery disabled)');
    this.discovery.on('nats', (learned) => this.fleet?.learned(learned.urls));
    await this.discovery.start(); // before the watchers: the first announcement does not wait for them
    this.reaper = new OrphanReaper(() => this.arbiter.childPids(), this.cfg.agent.check_interval);
    this.reaper.start();
    this.log.info(`ringd ${process.pid} starting ${this.cfg.watchers.length} watcher(s) from ${this.cfg.file} (boot ${this.arbiter.bootId})`);
    await this.arbiter.start();
    this.log.info('ringd ready');
    notifySystemd(this.log, 'READY=1', `STATUS=${this.arbiter.names().length} watcher(s) started`);
  }

  /** Stops every watcher in order, then exits 0. A second request while stopping is ignored. */
  shutdown(reason: string): Promise<void> {
    if (this.stopping) {
      this.log.warning(`${reason}: already stopping`);
      return this.stopping;
    }
    this.log.info(`${reason}: stopping all watchers`);
    notifySystemd(this.log, 'STOPPING=1');
    this.stopping = (async () => {
      this.reaper?.stop();
      // Listeners and controllers mark us left at once, even if the stops take minutes.
      await Promise.all([this.discovery.stop(), this.fleet?.goodbye()]);
      await this.arbiter.stop();
      this.recorder.remove();
      this.guardian.release();
      this.log.info('ringd stopped');
    })();
    return this.stopping;
  }

  /** Closes the control plane and the NATS link (after replies in flight went out), and exits the process. */
  async exit(code: number): Promise<never> {
    await Promise.all([this.plane?.close().catch(() => undefined), this.fleet?.stop()]);
    process.exit(code);
  }

  /** Re-reads the config file and applies it; a ConfigError leaves everything as it was. */
  async applyConfigFile(): Promise<ReloadPlan> {
    const next = await loadConfig(this.cfg.file);
    AgentDiscovery.checkKey(next);
    this.log.setLevel(next.agent.loglevel);
    const plan = await this.arbiter.reload(next);
    this.cfg = next;
    await this.discovery.reconfigure(next);
    if (this.fleet) await this.fleet.reconfigure(next);
    else if (wantsFleet(next)) await this.startFleet(next);
    this.log.info(`reloaded: added [${plan.add}] removed [${plan.remove}] restarted [${plan.restart}] ` +
      `updated [${plan.update}] resized [${plan.resize}]`);
    return plan;
  }

  /** SIGHUP: like applyConfigFile, but problems are logged. */
  async reload(): Promise<void> {
    try {
      await this.applyConfigFile();
    } catch (err) {
      const msg = err instanceof ConfigError ? err.message : (err as Error).message;
      this.log.error(`reload refused, keeping the running configuration:\n${msg}`);
    }
  }

  /** Loads and starts the fleet link (for a cfg wantsFleet): it connects in the background, NATS never delays supervision. */
  private async startFleet(cfg: Config): Promise<void> {
    if (this.fleet) return;
    const { FleetLink } = await import('./fleet/fleet-link.ts');
    this.fleet = new FleetLink(cfg, { arbiter: this.arbiter, dispatcher: this.plane!.dispatcher, revision: this.revision, log: this.log });
    this.fleet.start();
  }

  private installSignals(): void {
    const exitAfter = (reason: string) => () => {
      void this.shutdown(reason).then(() => this.exit(0), (err: Error) => {
        this.log.error(`shutdown failed: ${err.message}`);
        void this.exit(1);
      });
    };
    process.on('SIGTERM', exitAfter('SIGTERM'));
    process.on('SIGINT', exitAfter('SIGINT'));
    process.on('SIGHUP', () => { void this.reload(); });
    process.on('SIGUSR1', () => { void this.arbiter.reopenLogs().then(() => this.log.info('log files reopened')); });
  }
}
