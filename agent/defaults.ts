/** Every default of ringd, as a named constant in one place. Durations are in milliseconds. */

export const DEFAULT_NUMPROCESSES = 1;
export const DEFAULT_WARMUP_DELAY_MS = 0;
export const DEFAULT_PRIORITY = 0;
export const DEFAULT_STOP_SIGNAL = 15; // SIGTERM
export const DEFAULT_GRACEFUL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRY = 5;
export const DEFAULT_MAX_AGE_MS = 0;
export const DEFAULT_MAX_AGE_VARIANCE_MS = 30_000;

/** Restart policy: consecutive failures wait base·2^(n-2) (the first retry is immediate), capped. */
export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
/** A process that ran this long before exiting is not a failure: its slot's failure count resets. */
export const DEFAULT_BACKOFF_RESET_AFTER_MS = 10_000;
/** Each backoff delay is multiplied by a random factor in [1 - jitter, 1]. */
export const DEFAULT_BACKOFF_JITTER = 0.2;

export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

/** Output: lines kept per process for `tail`, and the longest line kept whole. */
export const DEFAULT_OUTPUT_RING_LINES = 1000;
export const MAX_LINE_BYTES = 64 * 1024;
export const DEFAULT_MAX_BYTES = 0;
export const DEFAULT_BACKUP_COUNT = 0;
export const DEFAULT_ROTATE_INTERVAL = 1;
/** How often a file sink checks whether its file was moved away by an external rotation. */
export const REOPEN_CHECK_INTERVAL_MS = 1000;
/** Bytes a sink may hold queued in memory; beyond it the newest lines are dropped (and a marker line says so). */
export const MAX_SINK_QUEUE_BYTES = 16 * 1024 * 1024;
/** Largest single write a file sink coalesces queued lines into. */
export const SINK_WRITE_BATCH_BYTES = 1024 * 1024;
/** After a failed write (disk full, permission …) a file sink retries this much later. */
export const SINK_RETRY_INTERVAL_MS = 1000;
/** Time prefix of FancyStdoutStream when its time_format is absent (Circus' default). */
export const DEFAULT_FANCY_TIME_FORMAT = '%Y-%m-%d %H:%M:%S';

/** Agent-level defaults. */
export const DEFAULT_AGENT_WARMUP_DELAY_MS = 0;
export const DEFAULT_CHECK_INTERVAL_MS = 1000;
/** After a SIGCHLD, ringd looks for orphaned zombies this much later, so one sweep serves a burst of exits. */
export const ORPHAN_SWEEP_DELAY_MS = 100;
export const DEFAULT_STATE_DIR_ROOT = '/run/ringd';
/** PATH given to children whose environment has none (what systemd does). */
export const DEFAULT_CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Environment variable marking every process of a tree, so escaped descendants can be found. */
export const SPAWN_MARKER_ENV = 'RING_SPAWN_ID';
/** ringd's log level when [agent] loglevel is not set. */
export const DEFAULT_LOGLEVEL = 'info';

/** Control plane (Circus's defaults: loopback only). */
export const DEFAULT_ENDPOINT = 'tcp://127.0.0.1:5555';
export const DEFAULT_PUBSUB_ENDPOINT = 'tcp://127.0.0.1:5556';
export const DEFAULT_STATS_ENDPOINT = 'tcp://127.0.0.1:5557';
export const DEFAULT_STATS_INTERVAL_MS = 1000;
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
/** `add` (and `set` of what runs) from NATS or a non-loopback endpoint: refused unless enabled (Circus let anyone run anything). */
export const DEFAULT_ALLOW_REMOTE_ADD = false;

/** Sockets ([sockets.NAME]) and readiness. */
export const DEFAULT_SOCKET_HOST = '127.0.0.1';
export const DEFAULT_SOCKET_PORT = 8080;
export const DEFAULT_SOCKET_BACKLOG = 2048;
export const DEFAULT_READY_DELAY_MS = 0;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** How often a ready_check is retried. */
export const READY_CHECK_INTERVAL_MS = 200;

/** Discovery (UDP multicast, docs/discovery.md). An administratively scoped group, TTL 1: the LAN only. */
export const DEFAULT_DISCOVERY_GROUP = '239.255.82.77';
export const DEFAULT_DISCOVERY_PORT = 12028;
export const DEFAULT_DISCOVERY_TTL = 1;
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 2000;
/** Each announce interval is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
export const ANNOUNCE_JITTER = 0.2;
/** Signed datagrams whose timestamp is further than this from the receiver's clock are stale. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000;
/** Unicast answers (to queries and probes) per second at most, so the agent cannot be used to flood a spoofed address. */
export const MAX_ANSWERS_PER_SECOND = 50;
/** A listener marks a sender silent after this many of its announce intervals without news. */
export const SILENT_AFTER_INTERVALS = 3;
/** Shortest fleet key accepted (bytes of the key file, surrounding whitespace removed). */
export const MIN_FLEET_KEY_BYTES = 16;
/** While discovery cannot start (no interface yet, …) it retries this often. */
export const DISCOVERY_RETRY_MS = 5000;

/** The NATS link ([nats], docs/fleet.md). Client pings detect a dead server within ping_interval × max_pings_out. */
export const DEFAULT_NATS_PING_INTERVAL_MS = 5000;
export const DEFAULT_NATS_MAX_PINGS_OUT = 3;
/** Wait between two connection attempts, plus a random part up to the jitter. */
export const DEFAULT_NATS_RECONNECT_WAIT_MS = 1000;
export const DEFAULT_NATS_RECONNECT_JITTER_MS = 500;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
export const DEFAULT_FLEET_STATS_INTERVAL_MS = 5000;
/** Events kept while NATS is unreachable, replayed in order on reconnect; older ones beyond it are dropped and counted. */
export const DEFAULT_EVENT_BUFFER = 10_000;
/** Largest message the agent publishes (log chunks are split under it; the server's max_payload caps it too). */
export const DEFAULT_NATS_MAX_PAYLOAD = 1024 * 1024;
/** Smallest max_payload accepted: a log line of a few KB must fit. */
export const MIN_NATS_MAX_PAYLOAD = 4096;
/** On shutdown, how long ringd waits for what it published to reach the server. */
export const NATS_CLOSE_FLUSH_MS = 2000;
/** NATS control requests handled at once; more get a "busy" error reply. */
export const NATS_MAX_IN_FLIGHT = 1024;
/** Follow leases: the lease when a request names none, the longest granted, and how often followed output is published. */
export const DEFAULT_FOLLOW_LEASE_MS = 10_000;
export const MAX_FOLLOW_LEASE_MS = 300_000;
export const FOLLOW_BATCH_MS = 100;
/** Output of one followed watcher held between two batches; beyond it lines are dropped (and counted in the next chunk). */
export const FOLLOW_MAX_PENDING_BYTES = 4 * 1024 * 1024;
