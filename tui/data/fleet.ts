/**
 * FleetSource: the fleet over NATS. The controllers' snapshot (asked again every
 * SNAPSHOT_REFRESH_MS, which also tells whether one still answers) and deltas give the hosts;
 * heartbeats, stats and events come straight from the agents. NATS going away is reported as
 * "disconnected — retrying" and the last data kept; the link comes back by itself.
 */
import os from 'node:os';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { NatsConfig } from '../../agent/config/nats.ts';
import { connectNats, explainNatsError } from '../../agent/fleet/connect.ts';
import type { RolloutProgress } from '../../protocol/fleet/commands.ts';
import type { FleetDelta, FleetEvent, FleetSnapshot, Heartbeat } from '../../protocol/fleet/messages.ts';
import type { FleetStats } from '../../protocol/fleet/payloads.ts';
import { subjects, tokenName } from '../../protocol/fleet/subjects.ts';
import { RETRY_MS, SNAPSHOT_REFRESH_MS } from '../defaults.ts';
import { agentEventEntry, rolloutEntry } from './events.ts';
import { followFleet } from './logs.ts';
import { pause, type LogSink, type Sink, type Source } from './source.ts';

export class FleetSource implements Source {
  readonly mode = 'fleet';
  readonly target: string;
  private nc: NatsConnection | null = null;
  private linkUp = false;
  private readonly closing = new AbortController();
  private wake: AbortController = new AbortController();
  private readonly subs: Subscription[] = [];

  constructor(private readonly cfg: NatsConfig, private readonly timeoutMs: number) {
    this.target = `fleet ${cfg.servers.join(',')}`;
  }

  start(sink: Sink): void {
    void this.run(sink);
  }

  follow(watcher: string, hosts: readonly string[], sink: LogSink): () => void {
    if (!this.nc || !this.linkUp) {
      sink.note(`not connected to NATS: the output of ${watcher} cannot be followed yet`);
      return () => undefined;
    }
    return followFleet(this.nc, watcher, hosts, sink, this.timeoutMs);
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.wake.abort();
    for (const s of this.subs) s.unsubscribe();
    await this.nc?.close().catch(() => undefined);
  }

  private get closed(): boolean {
    return this.closing.signal.aborted;
  }

  private async run(sink: Sink): Promise<void> {
    const servers = this.cfg.servers.join(', ');
    while (!this.closed && !this.nc) {
      try {
        this.nc = await connectNats(this.cfg, `ringctl-tui-${os.userInfo().username}`, this.cfg.servers, { timeout: this.timeoutMs });
      } catch (err) {
        sink.connection('disconnected', `cannot reach NATS at ${servers}: ${explainNatsError(err, this.cfg)}`);
        await pause(RETRY_MS, this.closing.signal);
      }
    }
    const nc = this.nc;
    if (!nc || this.closed) return;
    this.linkUp = true;
    this.subscribe(nc, sink);
    void this.watchLink(nc, sink);
    while (!this.closed) {
      this.wake = new AbortController();
      const ok = await this.snapshot(nc, sink);
      await pause(ok ? SNAPSHOT_REFRESH_MS : RETRY_MS, AbortSignal.any([this.closing.signal, this.wake.signal]));
    }
  }

  /** Reports the link going and coming back; a reconnection asks for the snapshot at once. */
  private async watchLink(nc: NatsConnection, sink: Sink): Promise<void> {
    for await (const s of nc.status()) {
      if (this.closed) return;
      if (s.type === 'disconnect') {
        this.linkUp = false;
        sink.connection('disconnected', `lost the connection to NATS (${s.server})`);
      } else if (s.type === 'reconnect') {
        this.linkUp = true;
        sink.connection('connecting', `reconnected to NATS (${s.server}); asking the controllers`);
        this.wake.abort();
      }
    }
  }

  /** Asks the controllers for the whole view; false when none answered. */
  private async snapshot(nc: NatsConnection, sink: Sink): Promise<boolean> {
    try {
      const snap = (await nc.request(subjects.fleetSnapshot, '', { timeout: this.timeoutMs })).json<FleetSnapshot>();
      sink.snapshot(snap.agents);
      sink.connection('connected', `connected to ${nc.getServer()} · controller ${snap.controller}${snap.note ? ` (${snap.note})` : ''}`);
      return true;
    } catch (err) {
      if (this.linkUp && !this.closed) {
        const why = /no responders/i.test((err as Error).message) ? 'none answers' : `no answer within ${this.timeoutMs / 1000}s`;
        sink.connection('no-controller', `${why} on ${nc.getServer()} (start one: ringmaster --config FILE)`);
      }
      return false;
    }
  }

  private subscribe(nc: NatsConnection, sink: Sink): void {
    const on = (subject: string, handle: (m: Msg) => void) => this.subs.push(nc.subscribe(subject, {
      callback: (err, m) => {
        if (err) return;
        try {
          handle(m);
        } catch {
          // a malformed message changes nothing
        }
      },
    }));
    on(subjects.fleetDeltas, (m) => sink.agent(m.json<FleetDelta>().agent));
    on(subjects.heartbeats, (m) => sink.heartbeat(m.json<Heartbeat>()));
    on(subjects.allStats, (m) => sink.stats(m.json<FleetStats>()));
    on(subjects.fleetRollout('*'), (m) => sink.event(rolloutEntry(m.json<RolloutProgress>())));
    on(subjects.events, (m) => {
      const [, , host, , token] = m.subject.split('.');
      const e = m.json<FleetEvent>();
      const entry = agentEventEntry(host, { ...e, watcher: e.watcher ?? tokenName(token) });
      if (entry) sink.event(entry);
    });
  }
}
