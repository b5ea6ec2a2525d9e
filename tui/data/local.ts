/**
 * LocalSource: one ringd over ZeroMQ, as circusctl sees it. The inventory is asked every
 * LOCAL_POLL_MS (and soon after each event); events and stats come from its PUB endpoints (named
 * by `globaloptions`, opened again when ringd restarts). An agent that stops answering is reported
 * as "disconnected — retrying" and the last data kept.
 */
import os from 'node:os';
import * as zmq from 'zeromq';
import type { AgentView, Inventory } from '../../protocol/fleet/messages.ts';
import { openLocal } from '../../ctl/transport/index.ts';
import type { LocalOptions, LocalTarget } from '../../ctl/transport/local.ts';
import { LOCAL_EVENT_DEBOUNCE_MS, LOCAL_POLL_MS } from '../defaults.ts';
import { agentEventEntry } from './events.ts';
import { StatsCycle, wireEvent } from './local-streams.ts';
import { followLocal } from './logs.ts';
import { pause, type LogSink, type Sink, type Source } from './source.ts';

type Call = (command: string, props: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Whether the endpoint is on this machine (then the host's load is this machine's). */
const onThisHost = (endpoint: string): boolean => /^ipc:|^tcp:\/\/(127\.|localhost|\[::1\])/.test(endpoint);

export function viewOfInventory(inv: Inventory, version: string | null): AgentView {
  const procs = inv.watchers.flatMap((w) => w.processes);
  const states: AgentView['states'] = {};
  for (const p of procs) states[p.state] = (states[p.state] ?? 0) + 1;
  return {
    id: inv.id, state: 'alive', reason: null, since: Date.now(), boot: inv.boot, host: inv.id, version, labels: inv.labels, address: null,
    last_heartbeat: Date.now(), heartbeat_interval_ms: null, watchers: inv.watchers.length, processes: procs.filter((p) => p.pid !== null).length,
    states, inventory: inv,
  };
}

export class LocalSource implements Source {
  readonly mode = 'local';
  private ctl: LocalTarget | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();
  private wake = new AbortController();
  private streams: zmq.Subscriber[] = [];
  private boot: string | null = null;
  private id = '';
  private version: string | null = null;
  private watcherNames = new Map<string, string>();

  constructor(readonly target: string, private readonly opts: LocalOptions) {}

  start(sink: Sink): void {
    void this.run(sink);
  }

  follow(watcher: string, _hosts: readonly string[], sink: LogSink): () => void {
    return followLocal(this.call, watcher, sink);
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.closeStreams();
    await this.queue.catch(() => undefined);
    this.ctl?.close();
  }

  /** One request at a time on the one DEALER (it allows a single pending receive). */
  private readonly call: Call = (command, props) => {
    const next = this.queue.then(async () => {
      this.ctl ??= await openLocal(this.target, this.opts);
      return this.ctl.call(command, props);
    });
    this.queue = next.catch(() => undefined);
    return next;
  };

  private readonly name = (lower: string): string => this.watcherNames.get(lower) ?? lower;

  private async run(sink: Sink): Promise<void> {
    while (!this.closing.signal.aborted) {
      this.wake = new AbortController();
      try {
        const reply = await this.call('inventory', {});
        if (reply.status === 'error') throw new Error(String(reply.reason));
        const inv = reply.inventory as Inventory;
        if (inv.boot !== this.boot) await this.openStreams(inv, sink);
        this.watcherNames = new Map(inv.watchers.map((w) => [w.name.toLowerCase(), w.name]));
        sink.agent(viewOfInventory(inv, this.version));
        if (onThisHost(this.target)) sink.heartbeat({ id: inv.id, load: os.loadavg() as [number, number, number] });
        sink.connection('connected', `connected to ringd ${inv.id} at ${this.target}`);
      } catch (err) {
        this.boot = null;
        sink.connection('disconnected', (err as Error).message);
      }
      await pause(LOCAL_POLL_MS, AbortSignal.any([this.closing.signal, this.wake.signal]));
    }
  }

  /** (Re)opens the event and stats subscriptions on the endpoints the agent names, for a new boot of it. */
  private async openStreams(inv: Inventory, sink: Sink): Promise<void> {
    const options = (await this.call('globaloptions', {})).options as Record<string, unknown>;
    const health = (await this.call('health', {})).health as Record<string, unknown> | undefined;
    this.version = typeof health?.version === 'string' ? health.version : null;
    this.closeStreams();
    this.boot = inv.boot;
    this.id = inv.id;
    const cycle = new StatsCycle(() => ({ id: this.id, boot: this.boot ?? '' }), this.name);
    this.subscribeTo(String(options.stats_endpoint), 'stat.', (topic, payload) => {
      const stats = cycle.add(topic, payload);
      if (stats) sink.stats(stats);
    });
    let soon: NodeJS.Timeout | null = null;
    this.subscribeTo(String(options.pubsub_endpoint), 'watcher.', (topic, payload) => {
      const e = wireEvent(topic, payload, this.name);
      const entry = e && agentEventEntry(this.id, e);
      if (entry) sink.event(entry);
      soon ??= setTimeout(() => {
        soon = null;
        this.wake.abort();
      }, LOCAL_EVENT_DEBOUNCE_MS);
    });
  }

  private subscribeTo(endpoint: string, prefix: string, handle: (topic: string, payload: Record<string, unknown>) => void): void {
    const pair = this.opts.curveServerKey ? zmq.curveKeyPair() : null;
    const curve = pair ? { curveServerKey: this.opts.curveServerKey, curvePublicKey: pair.publicKey, curveSecretKey: pair.secretKey } : {};
    const sub = new zmq.Subscriber({ linger: 0, ...curve });
    sub.connect(endpoint);
    sub.subscribe(prefix);
    this.streams.push(sub);
    void (async () => {
      try {
        for await (const [topic, payload] of sub) {
          try {
            handle(topic.toString(), JSON.parse(payload.toString()) as Record<string, unknown>);
          } catch {
            // a malformed message changes nothing
          }
        }
      } catch {
        // closed
      }
    })();
  }

  private closeStreams(): void {
    for (const s of this.streams) s.close();
    this.streams = [];
  }
}
