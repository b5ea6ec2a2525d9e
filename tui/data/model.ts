/**
 * What the terminal UI knows about the fleet, as immutable values: the store replaces a host's
 * record (and the state around it) whenever something about it changes, so views compare by identity.
 */
import type { ProcessView } from '../../protocol/agent-api.ts';
import type { Inventory } from '../../protocol/fleet/messages.ts';
import type { ProcessStats, SocketStatsView } from '../../protocol/fleet/payloads.ts';
import type { AgentState, ProcessState } from '../../protocol/states.ts';
import type { Ring } from './ring.ts';

/** The link to the data: NATS and a controller (fleet) or the agent's ZeroMQ endpoints (one agent). */
export type ConnState = 'connecting' | 'connected' | 'no-controller' | 'disconnected';

export interface Conn {
  state: ConnState;
  /** Plain English: "connected to nats://… (controller ctl-1)", "cannot reach NATS at …: connection refused". */
  detail: string;
  since: number;
}

export type WatcherInfo = Inventory['watchers'][number];

/** Sums of a watcher's processes from the last stats message. */
export interface WatcherTotals {
  cpu: number;
  mem: number;
  rss: number;
}

export interface HostRec {
  id: string;
  state: AgentState;
  reason: string | null;
  version: string | null;
  labels: Readonly<Record<string, string>>;
  /** Load averages (1, 5, 15 min) from the last heartbeat, when one was seen. */
  load: readonly [number, number, number] | null;
  watcherCount: number;
  states: Readonly<Partial<Record<ProcessState, number>>>;
  /** Watchers with their processes; null until an inventory arrived. */
  watchers: readonly WatcherInfo[] | null;
  sockets: readonly SocketStatsView[];
  /** Last stats of each live process, by pid. */
  procStats: ReadonlyMap<number, ProcessStats>;
  totals: ReadonlyMap<string, WatcherTotals>;
  /** CPU % of each watcher over the last stats messages (append-only rings, read at render). */
  spark: ReadonlyMap<string, Ring>;
  /** Pid changes of each process slot ("watcher/wid") seen since the UI started. */
  restarts: ReadonlyMap<string, number>;
  /** The last pid of each process slot, to count restarts. */
  lastPid: ReadonlyMap<string, number>;
}

export type EventLevel = 'info' | 'warn' | 'error';

/** One line of the events pane. */
export interface EventEntry {
  time: number;
  host: string | null;
  watcher: string | null;
  level: EventLevel;
  text: string;
}

export interface FleetState {
  mode: 'fleet' | 'local';
  /** What the UI looks at: "fleet nats://…" or "tcp://127.0.0.1:5555". */
  target: string;
  conn: Conn;
  hosts: ReadonlyMap<string, HostRec>;
  /** Newest last. */
  events: readonly EventEntry[];
  /** When data last arrived (ms), null before any. */
  updatedAt: number | null;
}

/** Key of one process slot in HostRec maps. */
export const slotKey = (watcher: string, wid: number): string => `${watcher}/${wid}`;

export type { ProcessView };
