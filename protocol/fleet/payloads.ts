/**
 * Payloads of the agent subjects beyond messages.ts: stats,
 * follow requests and log chunks. Heartbeat, FleetEvent and Inventory come from messages.ts.
 */
import type { OutputLineView } from '../agent-api.ts';
import type { FLEET_VERSION } from './messages.ts';

/** One process in ring.agent.<id>.stats: its own figures (not its children's). */
export interface ProcessStats {
  pid: number;
  wid: number;
  /** % of one CPU since the previous stats message. */
  cpu: number;
  /** % of the host's memory. */
  mem: number;
  /** Resident memory, bytes (null when unreadable). */
  rss: number | null;
  /** Open file descriptors (null when unreadable). */
  fds: number | null;
  /** Seconds since it started. */
  age: number;
}

export interface WatcherStats {
  name: string;
  processes: ProcessStats[];
  /** Sums over the processes. */
  cpu: number;
  mem: number;
  rss: number;
}

export interface SocketStatsView {
  name: string;
  address: string;
  /** Connections waiting in the accept queue. */
  queued: number;
  /** Established connections on the socket's address. */
  connections: number;
  backlog: number;
}

/** ring.agent.<id>.stats, every [nats] stats_interval. */
export interface FleetStats {
  v: typeof FLEET_VERSION;
  agent: string;
  boot: string;
  ts: number;
  interval_ms: number;
  watchers: WatcherStats[];
  sockets: SocketStatsView[];
  /** ringd itself. */
  self: Omit<ProcessStats, 'wid'>;
}

/** Body of a ring.agent.<id>.follow request. */
export interface FollowRequest {
  watcher: string;
  /** How long the lease lasts from now (default DEFAULT_FOLLOW_LEASE_MS, at most MAX_FOLLOW_LEASE_MS). */
  lease_ms?: number;
}

/** One line of a log chunk; `truncated` when the line alone did not fit under max_payload. */
export type LogLine = OutputLineView & { truncated?: true };

/** ring.agent.<id>.log.<watcher>: lines in the order they were read, split in chunks under max_payload. */
export interface LogChunk {
  agent: string;
  boot: string;
  watcher: string;
  /** +1 per chunk of this watcher during one boot: a gap means chunks were lost. */
  seq: number;
  lines: LogLine[];
  /** Lines dropped (output too fast to publish) just before these ones. */
  dropped: number;
}
