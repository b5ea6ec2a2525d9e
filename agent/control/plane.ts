/**
 * ringd's control plane: the Circus-compatible ZeroMQ control endpoint, the event stream and the
 * stats stream, all served from one command catalogue through the dispatcher.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RingEvent } from '../../protocol/events.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { ProcSampler, statsMessages } from '../stats/index.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import { ControlServer } from '../transport/control.ts';
import { readKeyFile } from '../transport/curve.ts';
import { ZmqPublisher } from '../transport/publisher.ts';
import { RingdApi, statsGroup, type ApiHooks } from './api.ts';
import { Dispatcher } from './dispatch.ts';
import { endpointOrigin } from './remote.ts';
import { toWire } from './events.ts';

/** How long closing waits for requests in flight, so their replies (e.g. `quit`'s) go out. */
const CLOSE_DRAIN_MS = 2000;
/**
 * Resolution of the event-loop lag monitor behind `health`'s loop_lag_ms: it wakes the loop this often.
 * 20 ms (100 wake-ups a second) cost an idle ringd more CPU than everything else it did; a stall of
 * this length or more is still always seen.
 */
const LOOP_LAG_RESOLUTION_MS = 250;

export class ControlPlane {
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly loop = monitorEventLoopDelay({ resolution: LOOP_LAG_RESOLUTION_MS });
  private onEvent = (e: RingEvent) => { const w = toWire(e); this.events.publish(w.topic, w.payload); };

  private constructor(
    private readonly arbiter: Arbiter,
    readonly api: RingdApi,
    /** Turns request bodies into replies: shared with the NATS link. */
    readonly dispatcher: Dispatcher,
    private readonly control: ControlServer,
    private readonly events: ZmqPublisher,
    private readonly stats: ZmqPublisher,
  ) {}

  /** Binds the three endpoints (failing with the endpoint named when one cannot be bound). */
  static async start(cfg: Config, arbiter: Arbiter, log: Logger, hooks: Omit<ApiHooks, 'endpoints' | 'loopLagMs'>): Promise<ControlPlane> {
    const a = cfg.agent;
    const curveSecretKey = a.curve_secret_key_file ? keyFrom(a.curve_secret_key_file) : undefined;
    const sampler = new ProcSampler();
    const opened: { close(): Promise<void> }[] = [];
    const bind = async <T extends { close(): Promise<void> }>(what: string, endpoint: string, f: () => Promise<T>): Promise<T> => {
      try {
        const s = await f();
        opened.push(s);
        return s;
      } catch (err) {
        await Promise.all(opened.map((o) => o.close()));
        throw new Error(`cannot bind ${what} ${endpoint}: ${(err as Error).message}`);
      }
    };
    let plane: ControlPlane | undefined;
    const api = new RingdApi(arbiter, sampler, {
      ...hooks,
      endpoints: () => plane!.endpoints(),
      loopLagMs: () => plane!.loopLagMs(),
    });
    const dispatcher = new Dispatcher(api, log, (e) => arbiter.publishEvent(e), () => arbiter.config.agent.allow_remote_add);
    const origin = endpointOrigin(a.endpoint); // a non-loopback bind is "the network" for every client of it
    const control = await bind('endpoint', a.endpoint, () => ControlServer.bind({
      endpoint: a.endpoint, maxRequestBytes: a.max_request_bytes, curveSecretKey, log, handle: (body) => dispatcher.handle(body, origin),
    }));
    const events = await bind('pubsub_endpoint', a.pubsub_endpoint, () => ZmqPublisher.bind(a.pubsub_endpoint, { curveSecretKey }));
    const stats = await bind('stats_endpoint', a.stats_endpoint, () => ZmqPublisher.bind(a.stats_endpoint, { curveSecretKey, trackSubscribers: true }));
    plane = new ControlPlane(arbiter, api, dispatcher, control, events, stats);
    plane.run(a.stats_interval);
    log.info(`control ${control.endpoint}, events ${events.endpoint}, stats ${stats.endpoint}${curveSecretKey ? ' (CURVE)' : ''}`);
    return plane;
  }

  endpoints(): { endpoint: string; stats_endpoint: string; pubsub_endpoint: string } {
    return { endpoint: this.control.endpoint, stats_endpoint: this.stats.endpoint, pubsub_endpoint: this.events.endpoint };
  }

  loopLagMs(): number {
    const ms = this.loop.max / 1e6;
    this.loop.reset();
    return Math.round(ms * 10) / 10;
  }

  private run(intervalMs: number): void {
    this.loop.enable();
    this.arbiter.on('event', this.onEvent);
    this.statsTimer = setInterval(() => this.publishStats(), intervalMs);
    this.statsTimer.unref();
  }

  /** One cycle of the stats stream, sampled from /proc inside ringd; skipped while nobody subscribes (sampling is the cost). */
  publishStats(): void {
    if (!this.stats.hasSubscribers) return;
    const sampler = this.api.sampler;
    const watchers = this.arbiter.names().map((n) => this.arbiter.get(n));
    const groups = watchers.map(statsGroup);
    const sockets = this.arbiter.sockets.stats().map((st) => ({ ...st, reads: 0 }));
    for (const m of statsMessages(groups, [{ pid: process.pid, name: 'ringd' }], sampler, sockets)) this.stats.publish(m.topic, m.payload);
    sampler.prune(new Set([process.pid, ...groups.flatMap((g) => g.processes.map((p) => p.pid))]));
  }

  async close(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.loop.disable();
    this.arbiter.off('event', this.onEvent);
    await Promise.all([this.control.close({ drainMs: CLOSE_DRAIN_MS }), this.events.flush().then(() => this.events.close()), this.stats.close()]);
  }
}

function keyFrom(file: string): string {
  const key = readKeyFile(file);
  if (!key.secretKey) throw new Error(`curve_secret_key_file ${file} holds no secret key (that is the .pub file?)`);
  return key.secretKey;
}
