/**
 * Discovery as ringd runs it: resolves the interface, opens the socket and announces, retrying in
 * the background while the network is not there (a warning, never a failure of the agent), and
 * restarts on a reload that changes [discovery] or the agent's identity. The socket and the
 * announcer (dgram, the datagram codec) are loaded on the first attempt: not at all when disabled.
 */
import os from 'node:os';
import { EventEmitter } from 'node:events';
import type { DiscoveryState, DiscoveryView, LearnedNats } from '../../protocol/agent-api.ts';
import type { Config } from '../config/types.ts';
import { DISCOVERY_RETRY_MS } from '../defaults.ts';
import { sameData } from '../equal.ts';
import type { Logger } from '../log.ts';
import type { Announcer } from './announcer.ts';
import { agentId, resolveInterface, routableEndpoints, type Interface } from './iface.ts';
import { loadFleetKey } from './key.ts';
import type { DiscoverySocket } from './socket.ts';

/** What discovery needs from the rest of ringd. */
export interface DiscoveryHost {
  /** The control endpoint as bound (port resolved). */
  controlEndpoint(): string;
  counts(): { w: number; p: number };
  /** NATS URLs the agent is connected to. */
  natsUrls(): string[];
  /** True when NATS servers are configured, so nothing needs to be learned from a controller. */
  hasNatsConfig(): boolean;
}

/** The part of the config discovery depends on: a change restarts it. */
const relevant = (cfg: Config) => ({ d: cfg.discovery, id: cfg.agent.id, labels: cfg.agent.labels });

export class AgentDiscovery extends EventEmitter<{ nats: [LearnedNats] }> {
  private state: DiscoveryState = 'stopped';
  private reason: string | null = null;
  private socket: DiscoverySocket | null = null;
  private announcer: Announcer | null = null;
  private iface: Interface | null = null;
  private key: Buffer | undefined;
  private retry: NodeJS.Timeout | null = null;
  private seq = 0;
  private lastProblem = '';
  private unsignedLogged = false;
  private generation = 0;

  constructor(private cfg: Config, private readonly boot: string, private readonly version: string,
    private readonly host: DiscoveryHost, private readonly log: Logger) {
    super();
  }

  /** Throws when [discovery] key_file cannot be used: checked before a start or a reload is applied. */
  static checkKey(cfg: Config): void {
    if (cfg.discovery.enabled && cfg.discovery.key_file) loadFleetKey(cfg.discovery.key_file);
  }

  get id(): string {
    return agentId(this.cfg.agent.id);
  }

  /** Starts announcing (or retrying in the background); resolves at once. */
  async start(): Promise<void> {
    this.generation++;
    const d = this.cfg.discovery;
    if (!d.enabled) {
      this.state = 'disabled';
      this.log.info('discovery disabled ([discovery] enabled = false)');
      return;
    }
    if (d.key_file) {
      try {
        const { key, warning } = loadFleetKey(d.key_file);
        this.key = key;
        if (warning) this.log.warning(warning);
      } catch (err) {
        // checkKey() refuses such a config before it is applied; this is the file vanishing in between.
        this.state = 'disabled';
        this.reason = (err as Error).message;
        this.log.error(`discovery off: ${this.reason}`);
        return;
      }
    } else {
      this.key = undefined;
      if (!this.unsignedLogged) this.log.warning('discovery is not signed: anyone on the network can announce or answer; set [discovery] key_file');
      this.unsignedLogged = true;
    }
    await this.attempt(this.generation);
  }

  /** Applies a new config: restarts discovery (without a goodbye) when its settings or the identity changed. */
  async reconfigure(next: Config): Promise<void> {
    const changed = !sameData(relevant(this.cfg), relevant(next));
    this.cfg = next;
    if (!changed) return;
    await this.halt(false);
    await this.start();
  }

  /** Says goodbye and closes. */
  async stop(): Promise<void> {
    await this.halt(true);
    this.state = 'stopped';
  }

  /** Sends an announcement now (after a change others should learn about quickly). */
  announceNow(): void {
    this.announcer?.announce();
  }

  learned(): LearnedNats | null {
    return this.announcer?.learned ?? null;
  }

  view(): DiscoveryView {
    const d = this.cfg.discovery;
    const c = this.socket?.counters;
    const a = this.announcer?.counters;
    return {
      enabled: d.enabled, state: this.state, reason: this.reason, id: this.id, boot: this.boot, group: d.group, port: d.port,
      interface: this.iface?.name ?? null, address: this.iface?.address ?? null, ttl: d.ttl, announce_interval: d.announce_interval / 1000,
      signed: this.key !== undefined, announced: a?.announced ?? 0, answered: a?.answered ?? 0, limited: a?.limited ?? 0,
      received: c?.received ?? 0, sent: c?.sent ?? 0, send_errors: c?.send_errors ?? 0, dropped: c ? { ...c.dropped } : null, nats: this.learned(),
    };
  }

  private async attempt(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const [{ DiscoverySocket }, { Announcer }] = await Promise.all([import('./socket.ts'), import('./announcer.ts')]);
    if (generation !== this.generation) return;
    const d = this.cfg.discovery;
    const iface = resolveInterface(d.interface);
    try {
      if ('error' in iface) throw new Error(iface.error);
      this.socket = await DiscoverySocket.open({
        group: d.group, port: d.port, iface, ttl: d.ttl, key: this.key, maxSkewMs: d.max_clock_skew, self: { id: this.id, boot: this.boot },
      });
      this.iface = iface;
    } catch (err) {
      this.state = 'retrying';
      this.reason = (err as Error).message;
      this.problem(`discovery: ${this.reason}; retrying every ${DISCOVERY_RETRY_MS / 1000}s (supervision is not affected)`);
      this.retry = setTimeout(() => void this.attempt(generation), DISCOVERY_RETRY_MS);
      this.retry.unref();
      return;
    }
    if (generation !== this.generation) {
      await this.socket.close();
      return;
    }
    this.socket.on('problem', (err) => this.problem(`discovery: ${err.message}`));
    this.socket.on('dropped', (reason, detail, from) => this.log.debug(`discovery: dropped a datagram from ${from.address}:${from.port}: ${reason} (${detail})`));
    this.announcer = new Announcer(this.socket, {
      role: 'agent', id: this.id, boot: this.boot, host: os.hostname(), version: this.version, intervalMs: d.announce_interval,
      payload: () => this.payload(), bootstrap: !this.host.hasNatsConfig(),
      circusEndpoint: d.answer_circus_probe ? () => this.circusEndpoint() : undefined,
    }, () => ++this.seq);
    this.announcer.on('nats', (l) => {
      this.log.info(`discovery: learned NATS servers ${l.urls.join(', ')} from controller ${l.from} (${l.address})`);
      this.emit('nats', l);
    });
    this.state = 'running';
    this.reason = null;
    this.lastProblem = '';
    this.announcer.start();
    this.log.info(`discovery: announcing ${this.id} on ${d.group}:${d.port} via ${iface.name} (${iface.address}), ` +
      `every ${d.announce_interval / 1000}s, ${this.key ? 'signed' : 'unsigned'}`);
  }

  private payload() {
    const ctl = routableEndpoints(this.host.controlEndpoint(), this.iface?.address ?? '');
    return { ctl, nats: this.host.natsUrls(), ...this.host.counts(), labels: this.cfg.agent.labels };
  }

  /** What Circus's probe gets: a reachable form of the control endpoint, else the endpoint as bound. */
  private circusEndpoint(): string {
    return routableEndpoints(this.host.controlEndpoint(), this.iface?.address ?? '')[0] ?? this.host.controlEndpoint();
  }

  /** Logs a warning once per distinct problem. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.log.warning(message);
  }

  private async halt(goodbye: boolean): Promise<void> {
    this.generation++;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const announcer = this.announcer;
    const socket = this.socket;
    this.announcer = null;
    this.socket = null;
    await announcer?.stop(goodbye);
    await socket?.close();
  }
}
