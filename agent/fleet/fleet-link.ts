/**
 * ringd's link to the fleet over NATS: connects in the background to the [nats] servers (or to those
 * a controller announced), publishes heartbeats, events, stats and followed output, and serves
 * ctl.* and follow. Supervision never waits for it and nothing about the processes depends on it.
 * The NATS client (./connection.ts and the library) is loaded only once there is a server to connect to.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { RingEvent } from '../../protocol/events.ts';
import type { FleetEvent } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import type { Config } from '../config/types.ts';
import type { Dispatcher } from '../control/dispatch.ts';
import { NATS_CLOSE_FLUSH_MS, NATS_MAX_IN_FLIGHT } from '../defaults.ts';
import { agentId } from '../discovery/iface.ts';
import { sameData } from '../equal.ts';
import type { Logger } from '../log.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import type { NatsLink } from './connection.ts';
import { ctlReply } from './ctl.ts';
import { EventForwarder } from './events.ts';
import { FollowLeases } from './follow.ts';
import { buildHeartbeat } from './heartbeat.ts';
import type { Revision } from './revision.ts';
import { serve, type ServeCounters } from './serve.ts';
import { FleetStatsSampler } from './stats.ts';

export interface FleetLinkDeps {
  arbiter: Arbiter;
  /** The same dispatcher the ZeroMQ control endpoint uses. */
  dispatcher: Dispatcher;
  revision: Revision;
  log: Logger;
}

export class FleetLink {
  private cfg: Config;
  private link: NatsLink | null = null;
  /** True while NATS servers are known: events are then published or kept for later. */
  private active = false;
  private stopped = false;
  private learnedUrls: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly startedAt = Date.now();
  private readonly events: EventForwarder;
  private readonly follow: FollowLeases;
  private readonly stats: FleetStatsSampler;
  /** Requests ignored (no reply subject) or refused (busy) on the subjects served. */
  readonly counters: ServeCounters = { no_reply: 0, busy: 0 };
  private readonly onEvent = (e: RingEvent) => {
    if (this.active) this.events.forward(e);
  };

  constructor(cfg: Config, private readonly deps: FleetLinkDeps) {
    this.cfg = cfg;
    const connected = () => this.connection !== null;
    const publish = (subject: string, text: string) => this.publish(subject, text);
    const agent = () => this.id;
    this.events = new EventForwarder(cfg.nats.event_buffer, { agent, boot: deps.arbiter.bootId, rev: () => deps.revision.value, connected, publish });
    this.follow = new FollowLeases(deps.arbiter, { agent, connected, publish, maxPayload: () => this.maxPayload() }, deps.log);
    this.stats = new FleetStatsSampler(deps.arbiter);
  }

  get id(): string {
    return agentId(this.cfg.agent.id);
  }

  /** Starts forwarding events and connecting (in the background) when servers are known; returns at once. */
  start(): void {
    this.deps.arbiter.on('event', this.onEvent);
    this.active = this.servers().length > 0;
    if (!this.link) void this.serially(() => this.connectTo(this.servers()));
  }

  /** True when [nats] servers are configured (nothing to learn from a controller). */
  hasNatsConfig(): boolean {
    return this.cfg.nats.servers.length > 0;
  }

  /** URL of the server the agent is connected to ([] when not connected). */
  natsUrls(): string[] {
    const url = this.link?.url;
    return url ? [url] : [];
  }

  /** Servers learned from a controller (discovery): connects to them unless [nats] servers are configured. */
  learned(urls: string[]): void {
    this.learnedUrls = [...urls];
    if (this.stopped || this.hasNatsConfig() || (this.link && sameData(this.link.servers, urls))) return;
    this.serially(() => this.restart(this.servers()));
  }

  /** Applies a reloaded config: reconnects when [nats] or the agent id changed. */
  reconfigure(next: Config): Promise<void> {
    return this.serially(async () => {
      const before = { nats: this.cfg.nats, id: this.id };
      this.cfg = next;
      if (this.events.outbox.capacity !== next.nats.event_buffer) this.events.outbox.resize(next.nats.event_buffer);
      if (!this.stopped && !sameData(before, { nats: next.nats, id: this.id })) await this.restart(this.servers());
    });
  }

  /** Tells the controllers the agent is leaving (clean shutdown), so they mark it left at once; waits briefly for it to go out. */
  async goodbye(): Promise<void> {
    const nc = this.connection;
    if (!nc) return;
    const notice: FleetEvent = { agent: this.id, boot: this.deps.arbiter.bootId, rev: this.deps.revision.value, event: 'goodbye', watcher: '_agent', time: Date.now() };
    this.publish(subjects.agentEvent(this.id, 'goodbye'), JSON.stringify(notice));
    await Promise.race([nc.flush().catch(() => undefined), new Promise((r) => setTimeout(r, NATS_CLOSE_FLUSH_MS).unref())]);
  }

  /** Flushes what was published (briefly) and closes. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.serially(async () => {
      this.deps.arbiter.off('event', this.onEvent);
      this.active = false;
      await this.closeLink();
      this.stats.close();
    });
  }

  private get connection(): NatsConnection | null {
    return this.link?.connection ?? null;
  }

  private servers(): string[] {
    return this.hasNatsConfig() ? this.cfg.nats.servers : this.learnedUrls;
  }

  private serially(f: () => Promise<void>): Promise<void> {
    const next = this.chain.then(f).catch((err: Error) => this.deps.log.error(`NATS: ${err.stack ?? err.message}`));
    this.chain = next;
    return next;
  }

  private async restart(servers: string[]): Promise<void> {
    await this.closeLink();
    await this.connectTo(servers);
  }

  private async connectTo(servers: string[]): Promise<void> {
    this.active = servers.length > 0;
    if (!this.active) {
      this.deps.log.info(this.cfg.discovery.enabled
        ? 'NATS: no [nats] servers configured; waiting to learn them from a controller (discovery)'
        : 'NATS: off (no [nats] servers configured and discovery disabled)');
      return;
    }
    const { NatsLink } = await import('./connection.ts');
    if (this.stopped) return;
    const link = new NatsLink(this.cfg.nats, `ringd-${this.id}`, servers, this.deps.log);
    link.on('up', (nc, again) => this.onUp(nc, again));
    this.link = link;
    const n = this.cfg.nats;
    this.timers = [setInterval(() => this.heartbeat(), n.heartbeat_interval), setInterval(() => this.publishStats(), n.stats_interval)];
    for (const t of this.timers) t.unref();
    link.start();
  }

  private async closeLink(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.follow.close();
    const link = this.link;
    this.link = null;
    await link?.close(NATS_CLOSE_FLUSH_MS);
  }

  private onUp(nc: NatsConnection, again: boolean): void {
    if (!again) {
      const opts = { log: this.deps.log, counters: this.counters, maxInFlight: NATS_MAX_IN_FLIGHT };
      serve(nc, subjects.ctlAll(this.id), { ...opts, handle: (msg) => ctlReply(this.deps.dispatcher, msg, this.cfg.agent.max_request_bytes) });
      serve(nc, subjects.follow(this.id), { ...opts, handle: (msg) => this.follow.request(msg.data) });
    }
    this.events.replay();
    this.heartbeat();
  }

  private heartbeat(): void {
    if (!this.connection) return;
    const hb = buildHeartbeat(this.deps.arbiter, {
      id: this.id, seq: ++this.seq, intervalMs: this.cfg.nats.heartbeat_interval, startedAt: this.startedAt,
      labels: this.cfg.agent.labels, rev: this.deps.revision.value, droppedEvents: this.events.dropped,
    });
    this.publish(subjects.heartbeat(this.id), JSON.stringify(hb));
  }

  private publishStats(): void {
    if (!this.connection) return;
    this.publish(subjects.stats(this.id), JSON.stringify(this.stats.sample(this.id, this.cfg.nats.stats_interval)));
  }

  private publish(subject: string, text: string): void {
    const nc = this.connection;
    if (!nc) return;
    try {
      nc.publish(subject, text);
    } catch (err) {
      this.deps.log.warning(`NATS: cannot publish on ${subject}: ${(err as Error).message}`);
    }
  }

  private maxPayload(): number {
    return Math.min(this.cfg.nats.max_payload, this.connection?.info?.max_payload ?? Infinity);
  }
}
