/**
 * What a controller keeps in JetStream when the servers have it: the audit trail (stream
 * RING_AUDIT, subjects ring.audit.<controller>) and the last known view of every agent (KV bucket
 * ring_agents), so a restarted controller lists the fleet before the first heartbeat arrives.
 * Without JetStream, open() says so and the controller uses its audit file.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AgentView } from '../protocol/fleet/messages.ts';
import type { Logger } from '../agent/log.ts';
import type { AuditEntry } from './audit.ts';
import { AGENTS_BUCKET, JETSTREAM_TIMEOUT_MS } from './defaults.ts';
import { controllerAssets, ensureReplicas } from './replicas.ts';

export const auditSubject = (controller: string): string => `ring.audit.${controller}`;

export class JetStreamStore {
  private pending = new Map<string, AgentView>();
  private flushing = false;

  private constructor(private readonly js: JetStreamClient, private readonly kv: KV, private readonly log: Logger,
    /** The fewest replicas its stream and bucket keep. */
    readonly replicas: number) {}

  /**
   * The store, or a reason why JetStream cannot be used (not enabled on the server, no permission…). Its stream and
   * bucket keep `replicas` copies; when the servers cannot (a single server, too few nodes) a warning says so and
   * they keep what the servers allow.
   */
  static async open(nc: NatsConnection, log: Logger, replicas = 1): Promise<JetStreamStore | { unavailable: string }> {
    try {
      const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
      let kept = Infinity;
      for (const asset of controllerAssets(nc, jsm, JETSTREAM_TIMEOUT_MS)) {
        const r = await ensureReplicas(jsm, asset, replicas, 'raise').catch(async (err: Error) => {
          if (replicas === 1) throw err;
          log.warning(`JetStream: ${asset.stream} cannot have ${replicas} replicas (${err.message}); keeping what the servers allow`);
          return ensureReplicas(jsm, asset, 1, 'raise');
        });
        if (r.changed) log.info(`JetStream: ${r.done}`);
        kept = Math.min(kept, r.replicas);
      }
      const js = jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS });
      const kv = await new Kvm(js).open(AGENTS_BUCKET);
      return new JetStreamStore(js, kv, log, kept);
    } catch (err) {
      return { unavailable: (err as Error).message };
    }
  }

  async audit(controller: string, entry: AuditEntry): Promise<boolean> {
    try {
      await this.js.publish(auditSubject(controller), JSON.stringify(entry));
      return true;
    } catch (err) {
      this.log.warning(`audit: JetStream refused the entry (${(err as Error).message}); writing it to the audit file`);
      return false;
    }
  }

  /** Records an agent's latest view; writes are coalesced per agent and never block the caller. */
  save(view: AgentView): void {
    this.pending.set(view.id, view);
    if (!this.flushing) void this.flush();
  }

  async load(): Promise<AgentView[]> {
    const out: AgentView[] = [];
    for await (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e && e.operation === 'PUT') {
        try {
          out.push(e.json<AgentView>());
        } catch {
          this.log.warning(`ignored an unreadable entry ${key} in the ${AGENTS_BUCKET} bucket`);
        }
      }
    }
    return out;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.size > 0) {
        const [id, view] = this.pending.entries().next().value as [string, AgentView];
        this.pending.delete(id);
        await this.kv.put(id, JSON.stringify(view)).catch((err: Error) => this.log.debug(`saving ${id} in ${AGENTS_BUCKET}: ${err.message}`));
      }
    } finally {
      this.flushing = false;
    }
  }
}
