/**
 * The controller at work on one NATS connection: keeps the fleet model from heartbeats, events,
 * inventories and discovery; serves fleet commands (ring.api.*) and the fleet snapshot in a queue
 * group, so any controller answers; publishes every change of an agent on ring.fleet.delta.<id>.
 * Holds no state another controller needs: each builds its own model from what agents publish.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { findCommand } from '../protocol/commands/index.ts';
import type { AgentView, ApiReply, FleetSnapshot } from '../protocol/fleet/messages.ts';
import { API_QUEUE, subjects } from '../protocol/fleet/subjects.ts';
import { monotonicMs } from '../agent/clock.ts';
import type { Logger } from '../agent/log.ts';
import { errorReply, fanout, parseApiRequest, type FanoutContext } from './api/fanout.ts';
import { rollout } from './api/rollout.ts';
import { CONTROLLER_COMMANDS } from '../protocol/fleet/commands.ts';
import { FleetModel, type ModelTimings } from './fleet/model.ts';
import { selectAgents } from './fleet/target.ts';
import { parseFleetEvent, parseHeartbeat, parseInventory } from './fleet/validate.ts';
import type { ListenerEvent } from './discovery/listener.ts';
import { AGENTS_BUCKET, AUDIT_STREAM, TICK_MS } from './defaults.ts';
import { auditEntry, type AuditEntry, type FileAudit } from './audit.ts';
import { JetStreamStore } from './persist.ts';

export interface ControllerOptions {
  id: string;
  timings: ModelTimings;
  requestTimeoutMs: number;
  log: Logger;
  /** Where the audit trail goes when JetStream is not available. */
  auditFile?: FileAudit;
  /** Replicas of the audit stream and the agents bucket (default 1). */
  jetstreamReplicas?: number;
}

/** Who sent a request: the `ring-client` header ringctl sets (user@host, client name), else "unknown". */
const who = (m: Msg): string => m.headers?.get('ring-client') || 'unknown';

export class Controller {
  readonly model: FleetModel;
  private subs: Subscription[] = [];
  private nc: NatsConnection | null = null;
  private store: JetStreamStore | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly fetching = new Set<string>();
  readonly counters = { malformed: 0, requests: 0 };

  constructor(private readonly o: ControllerOptions) {
    this.model = new FleetModel(o.timings);
    this.model.on('change', (agent, from) => this.changed(agent, from));
  }

  get fanoutContext(): FanoutContext {
    return {
      controller: this.o.id,
      request: async (subject, body, timeoutMs) => (await this.connection().request(subject, body, { timeout: timeoutMs })).string(),
      agents: () => this.model.views(),
      defaultTimeoutMs: this.o.requestTimeoutMs,
    };
  }

  private connection(): NatsConnection {
    if (!this.nc) throw new Error('NATS is not connected');
    return this.nc;
  }

  /** Serves on a (new) NATS connection; the fleet model is kept across connections. */
  attach(nc: NatsConnection): void {
    this.detach();
    this.nc = nc;
    const on = (subject: string, handle: (m: Msg) => void | Promise<void>, queue?: string) => {
      this.subs.push(nc.subscribe(subject, {
        queue,
        callback: (err, m) => {
          if (err) return this.o.log.warning(`subscription ${subject}: ${err.message}`);
          void Promise.resolve().then(() => handle(m)).catch((e: Error) => this.o.log.error(`handling ${m.subject}: ${e.stack ?? e.message}`));
        },
      }));
    };
    on(subjects.heartbeats, (m) => this.heartbeat(m));
    on(subjects.events, (m) => this.event(m));
    on(subjects.apiAll, (m) => this.api(m), API_QUEUE);
    on(subjects.fleetSnapshot, (m) => this.respond(m, this.snapshot(m.string())), API_QUEUE);
    this.timer ??= setInterval(() => this.model.tick(monotonicMs()), TICK_MS);
    void this.openStore(nc);
    this.timer.unref();
  }

  /** Stops serving on the current connection (it closed). */
  detach(): void {
    for (const s of this.subs) if (!this.nc?.isClosed()) s.unsubscribe();
    this.subs = [];
    this.nc = null;
    this.store = null;
  }

  /** The fleet view; body `{"inventory": false}` leaves the inventories out (much smaller). */
  snapshot(body = ''): FleetSnapshot {
    let withInventory = true;
    try {
      withInventory = body.trim() === '' || (JSON.parse(body) as { inventory?: unknown }).inventory !== false;
    } catch {
      // an unreadable body asks for the default
    }
    const agents = this.model.views().map((a) => (withInventory ? a : { ...a, inventory: null }));
    return { controller: this.o.id, ts: Date.now(), agents };
  }

  /**
   * Replies, never above the server's max_payload: a snapshot too large loses its inventories
   * (and says so), any other reply too large becomes an error reply naming the size.
   */
  private respond(m: Msg, reply: ApiReply | FleetSnapshot): void {
    const max = this.nc?.info?.max_payload ?? Infinity;
    let text = JSON.stringify(reply);
    if (text.length > max && 'agents' in reply) {
      const note = `inventories left out: the snapshot is ${text.length} bytes, over the server's max_payload ${max}; ask with target hosts (inventory command)`;
      text = JSON.stringify({ ...reply, agents: reply.agents.map((a) => ({ ...a, inventory: null })), note });
    }
    if (text.length > max && 'command' in reply) {
      text = JSON.stringify(errorReply(this.fanoutContext, reply.command, `the reply is ${text.length} bytes, over the server's max_payload ${max}: target fewer hosts`));
    }
    m.respond(text);
  }

  /** Feeds what the discovery listener hears into the model. */
  discovery(e: ListenerEvent): void {
    if (e.event !== 'dropped') this.model.discovered(e.peer, e.event, monotonicMs());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.detach();
  }

  private agentOf(subject: string): string {
    return subject.split('.')[2] ?? '';
  }

  private malformed(m: Msg, err: Error): void {
    this.counters.malformed++;
    this.o.log.debug(`ignored a malformed message on ${m.subject}: ${err.message}`);
  }

  private heartbeat(m: Msg): void {
    let hb;
    try {
      hb = parseHeartbeat(m.string(), this.agentOf(m.subject));
    } catch (err) {
      return this.malformed(m, err as Error);
    }
    if (this.model.heartbeat(hb, monotonicMs())) void this.fetchInventory(hb.id);
  }

  private event(m: Msg): void {
    let ev;
    try {
      ev = parseFleetEvent(m.string(), this.agentOf(m.subject));
    } catch (err) {
      return this.malformed(m, err as Error);
    }
    if (ev.event === 'goodbye' && m.subject.includes('.evt._agent.')) return this.model.left(ev.agent, ev.boot, monotonicMs());
    if (this.model.event(ev, monotonicMs())) void this.fetchInventory(ev.agent);
  }

  /** Fetches an agent's inventory (one request in flight per agent); a failure waits for the next heartbeat. */
  private async fetchInventory(id: string): Promise<void> {
    if (this.fetching.has(id)) return;
    this.fetching.add(id);
    try {
      const reply = await this.connection().request(subjects.ctl(id, 'inventory'), JSON.stringify({ id: `inv-${Date.now()}`, command: 'inventory' }), { timeout: this.o.requestTimeoutMs });
      this.model.inventory(parseInventory(reply.string(), id), monotonicMs());
    } catch (err) {
      this.o.log.debug(`inventory of ${id}: ${(err as Error).message}`);
    } finally {
      this.fetching.delete(id);
    }
  }

  private async api(m: Msg): Promise<void> {
    this.counters.requests++;
    const command = m.subject.slice(subjects.api('').length);
    const body = m.string();
    let reply: ApiReply;
    if (command === 'hosts') reply = this.hosts(body);
    else if (command === 'rollout') reply = await rollout(this.fanoutContext, body, (p) => this.nc?.publish(subjects.fleetRollout(p.rollout), JSON.stringify(p)));
    else reply = await fanout(this.fanoutContext, command, body);
    if (m.reply) this.respond(m, reply);
    const mutating = findCommand(command)?.mutates ?? CONTROLLER_COMMANDS[command]?.mutates ?? false;
    if (mutating) await this.audit(auditEntry(this.o.id, { command, who: who(m), request: body, reply }));
  }

  private async audit(entry: AuditEntry): Promise<void> {
    if (this.store && (await this.store.audit(this.o.id, entry))) return;
    await this.o.auditFile?.append(entry);
  }

  /** Uses JetStream (audit stream, agents bucket) when the servers have it; lists the agents it kept. */
  private async openStore(nc: NatsConnection): Promise<void> {
    const store = await JetStreamStore.open(nc, this.o.log, this.o.jetstreamReplicas);
    if (this.nc !== nc) return;
    if ('unavailable' in store) {
      this.store = null;
      this.o.log.info(`JetStream not used (${store.unavailable}): audit to ${this.o.auditFile?.file ?? 'nowhere'}, fleet view in memory only`);
      return;
    }
    const kept = await store.load().catch(() => []);
    if (this.nc !== nc) return;
    this.model.restore(kept, monotonicMs());
    this.store = store;
    for (const v of this.model.views()) store.save(structuredClone(v)); // what changed while the bucket was being read
    this.o.log.info(`JetStream: audit to stream ${AUDIT_STREAM}, agent views in bucket ${AGENTS_BUCKET} (${kept.length} kept from before), ${store.replicas} replica(s)`);
  }

  /** `hosts`: the fleet members a target selects (every one by default), with their state. */
  private hosts(body: string): ApiReply {
    const ctx = this.fanoutContext;
    try {
      const req = parseApiRequest(body);
      const hosts = selectAgents(this.model.views(), req.target!).map((a) => ({ ...a, inventory: null }));
      return { status: 'ok', command: 'hosts', controller: this.o.id, results: [], hosts, time: Date.now() / 1000 };
    } catch (err) {
      return errorReply(ctx, 'hosts', (err as Error).message);
    }
  }

  private changed(agent: AgentView, from: string | null): void {
    if (from !== agent.state) this.o.log.info(`agent ${agent.id}: ${from ?? 'new'} → ${agent.state}${agent.reason ? ` (${agent.reason})` : ''}`);
    this.nc?.publish(subjects.fleetDelta(agent.id), JSON.stringify({ controller: this.o.id, ts: Date.now(), agent }));
    this.store?.save(agent);
  }
}
