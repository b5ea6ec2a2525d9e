/**
 * Payloads on the fleet's NATS subjects (see subjects.ts): heartbeats, the agent inventory, fleet
 * commands with their per-host results, and the fleet view the controllers publish.
 */
import type { ProcessView } from '../agent-api.ts';
import type { AgentState, ProcessState, WatcherState } from '../states.ts';

export const FLEET_VERSION = 1;

/** ring.agent.<id>.hb, every heartbeat_interval. */
export interface Heartbeat {
  v: typeof FLEET_VERSION;
  id: string;
  boot: string;
  /** +1 per heartbeat during one boot. */
  seq: number;
  /** Sender's clock, ms since the epoch. */
  ts: number;
  host: string;
  version: string;
  interval_ms: number;
  uptime_s: number;
  labels: Record<string, string>;
  watchers: number;
  processes: number;
  /** Process slots by state. */
  states: Partial<Record<ProcessState, number>>;
  /** Inventory revision: +1 on every change (process or watcher state, add/remove). A controller that sees a revision it did not get as events fetches the inventory again. */
  rev: number;
  /** Host load averages (1, 5, 15 min) and memory (bytes). */
  load: [number, number, number];
  mem: { total: number; free: number };
  /** Events dropped because the buffer kept while NATS was unreachable overflowed, since start. */
  dropped_events: number;
}

/** The `inventory` command's reply: everything the controller keeps about one agent. */
export interface Inventory {
  id: string;
  boot: string;
  rev: number;
  labels: Record<string, string>;
  watchers: Array<{ name: string; state: WatcherState; numprocesses: number; processes: ProcessView[] }>;
  sockets: Record<string, unknown>[];
}

/** Payload of ring.agent.<id>.evt.<watcher>.<event>: the event plus where it comes from. */
export interface FleetEvent {
  agent: string;
  boot: string;
  /** The inventory revision this event produced. */
  rev: number;
  event: string;
  watcher: string;
  time: number;
  [key: string]: unknown;
}

/** Which agents a fleet command goes to. Several criteria combine with AND; no target = every agent. */
export interface Target {
  /** Agent ids or globs ("web-*"). */
  hosts?: string[];
  /** "key=value" (or "key" alone: the label exists); all must match. */
  labels?: string[];
  all?: boolean;
}

/** Body of a ring.api.<command> request. */
export interface ApiRequest {
  target?: Target;
  properties?: Record<string, unknown>;
  /** Per-agent timeout (the controller's default when absent). */
  timeout_ms?: number;
}

/** `skipped`: not attempted because an earlier step failed (a rollout stopped before this host). */
export type HostStatus = 'ok' | 'error' | 'timeout' | 'unreachable' | 'skipped';

export interface HostResult {
  host: string;
  status: HostStatus;
  /** The agent's reply as it sent it (Circus shape), when it answered. */
  reply?: Record<string, unknown>;
  reason?: string;
  ms: number;
  /** Set by ringctl for start/stop of one watcher: false when the host was already in the wanted state. */
  changed?: boolean;
}

/** Reply to ring.api.<command>: one result per targeted host; `partial` when some failed. */
export interface ApiReply {
  status: 'ok' | 'partial' | 'error';
  command: string;
  controller: string;
  results: HostResult[];
  /** For status error: why nothing was done (bad request, no host matched…). */
  reason?: string;
  /** The `hosts` command: the agents selected, without their inventory. */
  hosts?: AgentView[];
  /** The `rollout` command: its id (progress on ring.fleet.rollout.<id>), the batches, and the batch it stopped at (null: completed). */
  rollout?: { id: string; batches: string[][]; stopped_at: number | null };
  time: number;
}

/** One agent as the controllers see it. */
export interface AgentView {
  id: string;
  state: AgentState;
  /** Why it is in that state ("no heartbeat for 4.1s", "goodbye", "heard by multicast only: not on NATS"…). */
  reason: string | null;
  /** When it entered that state (ms since the epoch). */
  since: number;
  boot: string | null;
  host: string | null;
  version: string | null;
  labels: Record<string, string>;
  /** Address it was heard from by multicast, if it was. */
  address: string | null;
  last_heartbeat: number | null;
  heartbeat_interval_ms: number | null;
  watchers: number;
  processes: number;
  states: Partial<Record<ProcessState, number>>;
  inventory: Inventory | null;
}

export interface FleetSnapshot {
  controller: string;
  ts: number;
  agents: AgentView[];
  /** Set when inventories were left out because the snapshot would exceed the server's max_payload. */
  note?: string;
}

/** ring.fleet.delta.<id>: an agent's view after a change. */
export interface FleetDelta {
  controller: string;
  ts: number;
  agent: AgentView;
}
