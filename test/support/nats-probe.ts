// Agent-link tests: a NATS client that collects what agents publish and makes requests, and a real ringd linked to a nats-server.
import { connect, errors, type NatsConnection, type NodeConnectionOptions, type Subscription } from '@nats-io/transport-node';
import { startRingdControl, type RingdControl, type StartOptions } from './ringd-control.ts';
import type { TestNats } from './nats.ts';
import { waitFor } from './wait.ts';

export type Json = Record<string, unknown>;

export interface Received {
  subject: string;
  text: string;
  /** The payload parsed as JSON (undefined when it is not JSON). */
  json: Json;
}

/** Every message on one subject (wildcards allowed), in arrival order. */
export class Collector {
  readonly messages: Received[] = [];
  private readonly sub: Subscription;

  constructor(nc: NatsConnection, subject: string) {
    this.sub = nc.subscribe(subject, {
      callback: (_err, m) => {
        let json: Json;
        try {
          json = JSON.parse(m.string()) as Json;
        } catch {
          json = undefined as unknown as Json;
        }
        this.messages.push({ subject: m.subject, text: m.string(), json });
      },
    });
  }

  /** Messages from index `mark` on. */
  since(mark: number): Received[] {
    return this.messages.slice(mark);
  }

  /** Waits until `count` messages from index `from` on match; returns those. */
  async wait(what: string, match: (m: Received) => boolean, opts: { count?: number; from?: number; timeoutMs?: number } = {}): Promise<Received[]> {
    const count = opts.count ?? 1;
    return waitFor(() => {
      const found = this.since(opts.from ?? 0).filter(match);
      return found.length >= count && found;
    }, { what: `${count} × ${what} (got ${this.messages.length} messages)`, timeoutMs: opts.timeoutMs ?? 30_000 });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

/** A test-side NATS client (reconnecting quickly), closed by close(). */
export class NatsProbe {
  private readonly collectors: Collector[] = [];

  private constructor(readonly nc: NatsConnection) {}

  static async connect(url: string, opts: Partial<Pick<NodeConnectionOptions, 'user' | 'pass' | 'tls'>> = {}): Promise<NatsProbe> {
    return new NatsProbe(await connect({ servers: [url], reconnectTimeWait: 200, maxReconnectAttempts: -1, ...opts }));
  }

  /** Starts collecting `subject` now; flushed, so the server knows the interest when this resolves. */
  async collect(subject: string): Promise<Collector> {
    const c = new Collector(this.nc, subject);
    this.collectors.push(c);
    await this.nc.flush();
    return c;
  }

  /** A request (body sent as is), retried only while nobody listens yet (never after a timeout); resolves with the reply text. */
  async request(subject: string, body: string | Uint8Array, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await this.nc.request(subject, body, { timeout: Math.max(1000, deadline - Date.now()) })).string();
      } catch (err) {
        const noResponders = err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders());
        if (!noResponders || Date.now() >= deadline) throw new Error(`request on ${subject}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** request() with the reply parsed as JSON. */
  async requestJson(subject: string, body: string | Uint8Array | Json, timeoutMs?: number): Promise<Json> {
    const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    return JSON.parse(await this.request(subject, text, timeoutMs)) as Json;
  }

  async close(): Promise<void> {
    for (const c of this.collectors) c.close();
    await this.nc.close().catch(() => undefined);
  }
}

/** The [nats] section for `servers` plus extra lines (fast heartbeats and stats unless overridden). */
export function natsSection(servers: string[], extra = ''): string {
  const lines = [`servers = [${servers.map((s) => JSON.stringify(s)).join(', ')}]`, extra];
  if (!/heartbeat_interval/.test(extra)) lines.push('heartbeat_interval = "200ms"');
  if (!/stats_interval/.test(extra)) lines.push('stats_interval = "500ms"');
  return `\n[nats]\n${lines.filter(Boolean).join('\n')}\n`;
}

export interface LinkedOptions extends StartOptions {
  id: string;
  /** Extra [nats] lines. */
  nats?: string;
  /** Extra [agent] lines. */
  agentKeys?: string;
  /** Wait for the "NATS: connected" log line (default true). */
  connected?: boolean;
}

/** A real ringd with [agent] id and a [nats] section pointing at `nats`; waits until it is connected. */
export async function startLinkedRingd(nats: TestNats, watchers: string, opts: LinkedOptions): Promise<RingdControl> {
  const agent = `id = "${opts.id}"\n${opts.agentKeys ?? ''}\n${natsSection([nats.url], opts.nats)}`;
  const r = await startRingdControl(watchers, { prefix: `ringd-fleet-${opts.id}`, ...opts, agent });
  if (opts.connected ?? true) await r.ringd.waitForOutput(/NATS: connected to nats:\/\/127\.0\.0\.1:\d+/, 30_000);
  return r;
}
