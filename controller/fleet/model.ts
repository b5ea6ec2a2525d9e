/**
 * The fleet model: one entry per agent, built from NATS heartbeats (liveness), events (inventory
 * deltas), inventory snapshots and multicast discovery (a hint). Each agent is alive → suspect
 * (missed heartbeats) → lost (deadline), left (goodbye) or discovered (multicast only). Every
 * visible change is emitted as the agent's new view; the clock is passed in, so it is testable.
 */
import { EventEmitter } from 'node:events';
import type { AgentView, FleetEvent, Heartbeat, Inventory } from '../../protocol/fleet/messages.ts';
import type { AgentState } from '../../protocol/states.ts';
import type { Peer } from '../discovery/listener.ts';

export interface ModelTimings {
  /** suspect after this many heartbeat intervals without one. */
  suspectAfterMissed: number;
  /** lost when no heartbeat for this long (ms). */
  lostAfterMs: number;
}

interface Entry extends AgentView {
  /** Inventory revision known (from a snapshot or applied events). */
  rev: number;
}

const DISCOVERED_ONLY = 'heard by multicast only: not on NATS';

const visible = (v: AgentView): string => JSON.stringify({ ...v, last_heartbeat: undefined, since: undefined });

function blank(id: string, now: number): Entry {
  return {
    id, state: 'discovered', reason: DISCOVERED_ONLY, since: now, boot: null, host: null, version: null, labels: {}, address: null,
    last_heartbeat: null, heartbeat_interval_ms: null, watchers: 0, processes: 0, states: {}, inventory: null, rev: -1,
  };
}

export class FleetModel extends EventEmitter<{ change: [AgentView, AgentState | null] }> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly timings: ModelTimings) {
    super();
  }

  /** Every agent's view, read-only: shared with the model, not copied (fleet requests must stay cheap at 1000 agents). */
  views(): AgentView[] {
    return [...this.entries.values()].map(shallow).sort((a, b) => a.id.localeCompare(b.id));
  }

  view(id: string): AgentView | undefined {
    const e = this.entries.get(id);
    return e && strip(e);
  }

  /** A heartbeat: the agent is alive. Returns true when its inventory should be fetched. */
  heartbeat(hb: Heartbeat, now: number): boolean {
    return this.update(hb.id, now, (e) => {
      const restarted = e.boot !== null && e.boot !== hb.boot;
      if (restarted) {
        e.inventory = null;
        e.rev = -1;
      }
      Object.assign(e, {
        boot: hb.boot, host: hb.host, version: hb.version, labels: hb.labels, last_heartbeat: now, heartbeat_interval_ms: hb.interval_ms,
        watchers: hb.watchers, processes: hb.processes, states: hb.states,
      });
      // After a goodbye the agent still beats while its watchers stop: it stays left until it comes back with a new boot.
      if (!(e.state === 'left' && !restarted)) this.enter(e, 'alive', null, now);
      return e.rev !== hb.rev;
    });
  }

  /** An event from the agent, applied to its inventory. Returns true when a fresh inventory is needed instead. */
  event(ev: FleetEvent, now: number): boolean {
    const e = this.entries.get(ev.agent);
    if (!e || e.boot !== ev.boot) return e !== undefined;
    return this.update(ev.agent, now, (entry) => {
      if (!entry.inventory || ev.rev !== entry.rev + 1) return true;
      entry.rev = ev.rev;
      entry.inventory.rev = ev.rev;
      return !applyEvent(entry.inventory, ev);
    });
  }

  inventory(inv: Inventory, now: number): void {
    this.update(inv.id, now, (e) => {
      if (e.boot !== null && e.boot !== inv.boot) return false;
      e.inventory = inv;
      e.rev = inv.rev;
      e.labels = inv.labels;
      return false;
    });
  }

  /** What multicast discovery heard. An agent never heard on NATS is `discovered`; liveness stays NATS's business. */
  discovered(peer: Peer, event: 'seen' | 'changed' | 'silent' | 'left', now: number): void {
    if (peer.role !== 'agent') return;
    this.update(peer.id, now, (e) => {
      e.address = peer.address;
      if (event === 'left' && e.boot === peer.boot) this.enter(e, 'left', 'said goodbye', now);
      if (e.last_heartbeat === null && event !== 'left') {
        Object.assign(e, { host: peer.host, version: peer.version, labels: peer.labels, watchers: peer.watchers, processes: peer.processes });
        this.enter(e, 'discovered', DISCOVERED_ONLY, now);
      }
      return false;
    });
  }

  /** A goodbye heard on NATS. */
  left(id: string, boot: string, now: number): void {
    const e = this.entries.get(id);
    if (e && e.boot === boot) this.update(id, now, (x) => this.enter(x, 'left', 'said goodbye', now) && false);
  }

  /** Views kept from an earlier run (JetStream KV): agents not heard of yet are listed as they were last seen; the deadlines then apply. */
  restore(views: AgentView[], now: number): void {
    for (const v of views) {
      if (this.entries.has(v.id)) continue;
      this.update(v.id, now, (e) => {
        Object.assign(e, structuredClone(v), { rev: v.inventory?.rev ?? -1 });
        return false;
      });
    }
  }

  /** Applies the deadlines: alive → suspect → lost. */
  tick(now: number): void {
    for (const e of this.entries.values()) {
      if (e.last_heartbeat === null || e.heartbeat_interval_ms === null) continue;
      if (e.state !== 'alive' && e.state !== 'suspect') continue;
      const silent = now - e.last_heartbeat;
      const missed = Math.floor(silent / e.heartbeat_interval_ms);
      if (silent > this.timings.lostAfterMs) {
        this.update(e.id, now, (x) => this.enter(x, 'lost', `no heartbeat for ${(silent / 1000).toFixed(1)}s`, now) && false);
      } else if (e.state === 'alive' && missed >= this.timings.suspectAfterMissed) {
        this.update(e.id, now, (x) => this.enter(x, 'suspect', `missed ${missed} heartbeats`, now) && false);
      }
    }
  }

  /** Runs `change` on the entry (created if new) and emits its view when something visible changed. */
  private update(id: string, now: number, change: (e: Entry) => boolean): boolean {
    let e = this.entries.get(id);
    const before = e ? visible(e) : null;
    const prevState = e?.state ?? null;
    if (!e) {
      e = blank(id, now);
      this.entries.set(id, e);
    }
    const result = change(e);
    if (before !== visible(e)) this.emit('change', strip(e), prevState);
    return result;
  }

  /** Enters `state` with its reason (nothing changes when already there); always true so callers can chain. */
  private enter(e: Entry, state: AgentState, reason: string | null, now: number): true {
    if (e.state === state) return true;
    e.state = state;
    e.reason = reason;
    e.since = now;
    return true;
  }
}

function shallow(e: Entry): AgentView {
  const { rev: _rev, ...view } = e;
  return view;
}

/** A copy that later changes of the model do not touch (for change events, kept and sent later). */
function strip(e: Entry): AgentView {
  return structuredClone(shallow(e));
}

/** Applies one event to an inventory; false when it cannot be applied (the inventory must be fetched again). */
function applyEvent(inv: Inventory, ev: FleetEvent): boolean {
  const w = inv.watchers.find((x) => x.name === ev.watcher);
  switch (ev.event) {
    case 'watcher_state':
      if (!w) return false;
      w.state = ev.to as typeof w.state;
      return true;
    case 'state': {
      const p = w?.processes.find((x) => x.wid === ev.wid);
      if (!p) return false;
      p.state = ev.to as typeof p.state;
      if (ev.pid !== undefined) p.pid = ev.pid as number | null;
      return true;
    }
    case 'spawn': {
      const p = w?.processes.find((x) => x.wid === ev.wid);
      if (!p) return false;
      p.pid = ev.pid as number;
      return true;
    }
    default:
      return ['reap', 'kill', 'hook_success', 'hook_failure', 'backoff', 'flapping', 'command_failure', 'output_error'].includes(ev.event);
  }
}
