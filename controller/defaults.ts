/** Every default of ringmaster, as a named constant in one place. Durations are in milliseconds. */

/** Liveness: suspect after this many missed heartbeat intervals, lost after this long without one. */
export const DEFAULT_SUSPECT_AFTER_MISSED = 3;
export const DEFAULT_LOST_AFTER_MS = 10_000;
/** Per-agent timeout of a fleet command. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_AUDIT_FILE_ROOT = '/var/lib/ringmaster/audit.jsonl';
/** How often the deadlines of the fleet model are checked. */
export const TICK_MS = 250;
/** JetStream: the audit stream, the bucket of agent views, and the API timeout (the client's default is 5 s). */
export const AUDIT_STREAM = 'RING_AUDIT';
export const AGENTS_BUCKET = 'ring_agents';
export const JETSTREAM_TIMEOUT_MS = 2000;
/** Replicas of the controllers' stream and bucket: one, unless [controller] jetstream_replicas asks for more. */
export const DEFAULT_JETSTREAM_REPLICAS = 1;
/** JetStream keeps at most five replicas of a stream. */
export const MAX_JETSTREAM_REPLICAS = 5;
