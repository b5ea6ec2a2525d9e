/**
 * The store: reduces snapshots, deltas, heartbeats, stats and events into an immutable FleetState,
 * and publishes it to the views at a bounded rate — within PUBLISH_MS of a change people act on,
 * within STATS_PUBLISH_MS when only figures changed — so a busy fleet never means busy redraws.
 */
import type { AgentView, Heartbeat } from '../../protocol/fleet/messages.ts';
import type { FleetStats } from '../../protocol/fleet/payloads.ts';
import { EVENTS_KEPT, PUBLISH_MS, SPARK_SAMPLES, STATS_PUBLISH_MS } from '../defaults.ts';
import { load } from '../format.ts';
import { agentStateEntry } from './events.ts';
import { slotKey, type ConnState, type EventEntry, type FleetState, type HostRec, type WatcherInfo } from './model.ts';
import { Ring } from './ring.ts';
import type { Sink } from './source.ts';

type Urgency = 'now' | 'figures';

/** Restart counts and last pids after a new inventory: a slot whose pid changed restarted once more. */
function countRestarts(prev: HostRec | undefined, watchers: readonly WatcherInfo[]): Pick<HostRec, 'restarts' | 'lastPid'> {
  const restarts = new Map(prev?.restarts ?? []);
  const lastPid = new Map(prev?.lastPid ?? []);
  for (const w of watchers) {
    for (const p of w.processes) {
      if (p.pid === null) continue;
      const key = slotKey(w.name, p.wid);
      const before = lastPid.get(key);
      if (before !== undefined && before !== p.pid) restarts.set(key, (restarts.get(key) ?? 0) + 1);
      lastPid.set(key, p.pid);
    }
  }
  return { restarts, lastPid };
}

export function hostFromView(prev: HostRec | undefined, v: AgentView): HostRec {
  const watchers = v.inventory?.watchers ?? prev?.watchers ?? null;
  return {
    id: v.id, state: v.state, reason: v.reason, version: v.version ?? prev?.version ?? null, labels: v.labels,
    load: prev?.load ?? null,
    watcherCount: v.watchers, states: v.states, watchers,
    sockets: prev?.sockets ?? [], procStats: prev?.procStats ?? new Map(), totals: prev?.totals ?? new Map(),
    spark: prev?.spark ?? new Map(),
    ...(v.inventory ? countRestarts(prev, v.inventory.watchers) : { restarts: prev?.restarts ?? new Map(), lastPid: prev?.lastPid ?? new Map() }),
  };
}

export function hostWithStats(h: HostRec, s: FleetStats): HostRec {
  const spark = new Map(h.spark);
  for (const w of s.watchers) {
    let ring = spark.get(w.name);
    if (!ring) spark.set(w.name, (ring = new Ring(SPARK_SAMPLES)));
    ring.push(w.cpu);
  }
  return {
    ...h, sockets: s.sockets, spark,
    procStats: new Map(s.watchers.flatMap((w) => w.processes.map((p) => [p.pid, p] as const))),
    totals: new Map(s.watchers.map((w) => [w.name, { cpu: w.cpu, mem: w.mem, rss: w.rss }])),
  };
}

export class FleetStore implements Sink {
  private state: FleetState;
  private published: FleetState;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private due: number | null = null;
  private lastPublish = 0;
  /** What each agent's view showed last (seen()). */
  private readonly views = new Map<string, string>();
  /** Hosts were listed once: an agent seen after that is new (and said so in the events). */
  private seeded = false;

  /** `accept`: which agents to show (the --host/--label selectors); every one by default. */
  constructor(mode: FleetState['mode'], target: string, private readonly accept: (v: AgentView) => boolean = () => true) {
    this.state = { mode, target, conn: { state: 'connecting', detail: `connecting to ${target}`, since: Date.now() }, hosts: new Map(), events: [], updatedAt: null };
    this.published = this.state;
  }

  /** The state last published (what views show). */
  readonly getState = (): FleetState => this.published;

  /** React's useSyncExternalStore subscription. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  connection(state: ConnState, detail: string): void {
    const c = this.state.conn;
    if (c.state === state && c.detail === detail) return;
    this.update({ conn: { state, detail, since: c.state === state ? c.since : Date.now() } }, 'now', false);
  }

  snapshot(agents: readonly AgentView[]): void {
    const shown = agents.filter(this.accept);
    const hosts = new Map<string, HostRec>();
    const changes: EventEntry[] = [];
    let changed = shown.length !== this.state.hosts.size;
    for (const v of shown) {
      const prev = this.state.hosts.get(v.id);
      if (prev && prev.state !== v.state) changes.push(agentStateEntry(v.id, prev.state, v.state, v.reason, Date.now()));
      const same = this.seen(v) && prev !== undefined;
      hosts.set(v.id, same ? prev : hostFromView(prev, v));
      changed ||= !same;
    }
    this.seeded = true;
    if (changed) this.update({ hosts, events: this.appended(changes) }, 'now');
  }

  agent(view: AgentView): void {
    const same = this.seen(view);
    if (!this.accept(view) || (same && this.state.hosts.has(view.id))) return;
    const prev = this.state.hosts.get(view.id);
    const changed = prev ? prev.state !== view.state : this.seeded;
    const changes = changed ? [agentStateEntry(view.id, prev?.state ?? null, view.state, view.reason, Date.now())] : [];
    this.seeded = true;
    this.update({ hosts: new Map(this.state.hosts).set(view.id, hostFromView(prev, view)), events: this.appended(changes) }, 'now');
  }

  heartbeat(hb: Pick<Heartbeat, 'id' | 'load'> & Partial<Pick<Heartbeat, 'version'>>): void {
    const h = this.state.hosts.get(hb.id);
    if (!h) return;
    const version = hb.version ?? h.version;
    if (h.load && load(h.load) === load(hb.load) && version === h.version) return; // nothing shown changed
    const rec: HostRec = { ...h, load: hb.load, version };
    this.update({ hosts: new Map(this.state.hosts).set(hb.id, rec) }, 'figures');
  }

  stats(s: FleetStats): void {
    const h = this.state.hosts.get(s.agent);
    if (!h) return;
    this.update({ hosts: new Map(this.state.hosts).set(s.agent, hostWithStats(h, s)) }, 'figures');
  }

  event(e: EventEntry): void {
    if (e.host !== null && this.state.mode === 'fleet' && !this.state.hosts.has(e.host)) return;
    this.update({ events: this.appended([e]) }, 'now');
  }

  /** Publishes now (tests, and the first frame). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due = null;
    this.lastPublish = Date.now();
    if (this.published === this.state) return;
    this.published = this.state;
    for (const l of this.listeners) l();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the view shows nothing new since the last one of its agent (heartbeat times aside); remembers it. */
  private seen(v: AgentView): boolean {
    const key = JSON.stringify([v.state, v.reason, v.version, v.labels, v.watchers, v.processes, v.states, v.inventory]);
    if (this.views.get(v.id) === key) return true;
    this.views.set(v.id, key);
    return false;
  }

  private appended(entries: EventEntry[]): readonly EventEntry[] {
    if (entries.length === 0) return this.state.events;
    const all = [...this.state.events, ...entries];
    return all.length > EVENTS_KEPT ? all.slice(all.length - EVENTS_KEPT) : all;
  }

  private update(change: Partial<FleetState>, urgency: Urgency, data = true): void {
    this.state = { ...this.state, ...change, ...(data ? { updatedAt: Date.now() } : {}) };
    const due = this.lastPublish + (urgency === 'now' ? PUBLISH_MS : STATS_PUBLISH_MS);
    if (this.due !== null && this.due <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - Date.now()));
  }
}
