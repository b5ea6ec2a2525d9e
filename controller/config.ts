/**
 * ringmaster's configuration file: [controller] (identity, liveness deadlines, timeouts, audit),
 * [nats] (the same table as ringd's) and [discovery] (the same as ringd's: the controller listens,
 * and answers agents' queries with the NATS URLs they should use).
 */
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../protocol/errors.ts';
import { NATS_OPTIONS, natsConfigProblems, natsServers, type NatsConfig } from '../agent/config/nats.ts';
import { optionsOf, type OptionDef } from '../agent/config/option-def.ts';
import * as P from '../agent/config/parsers.ts';
import { DISCOVERY_OPTIONS, LOG_LEVELS, optionRows, type OptionRow } from '../agent/config/schema.ts';
import { readSection, readToml } from '../agent/config/sections.ts';
import { Issues, joinKey } from '../agent/config/issues.ts';
import { unknownMessage } from '../agent/config/suggest.ts';
import type { DiscoveryConfig } from '../agent/config/types.ts';
import { agentId } from '../agent/discovery/iface.ts';
import type { LogLevel } from '../agent/log.ts';
import * as D from './defaults.ts';

export interface ControllerSection {
  id: string;
  /** An agent is suspect after this many heartbeat intervals without one. */
  suspect_after: number;
  /** …and lost after this long without one (ms). */
  lost_after: number;
  /** Per-agent timeout of a fleet command (ms) when the request names none. */
  request_timeout: number;
  /** NATS URLs given to agents that ask by discovery; empty = [nats] servers. */
  announce_nats: string[];
  /** Where the audit trail is appended (one JSON object per line) when JetStream is not available. */
  audit_file: string;
  /** Replicas of the audit stream and the agents bucket in JetStream. */
  jetstream_replicas: number;
  loglevel: LogLevel;
}

export interface ControllerConfig {
  file: string;
  controller: ControllerSection;
  nats: NatsConfig;
  discovery: DiscoveryConfig;
}

const option = optionsOf<ControllerSection>();

function defaultAuditFile(): string {
  const uid = process.getuid?.();
  return uid === 0 ? D.DEFAULT_AUDIT_FILE_ROOT : path.join(os.tmpdir(), `ringmaster-${uid ?? 'user'}`, 'audit.jsonl');
}

export const CONTROLLER_OPTIONS: readonly OptionDef<ControllerSection>[] = [
  option('id', P.agentId, undefined, 'Name of this controller (in replies, the audit trail and discovery).', {
    compute: () => `ringmaster-${agentId(undefined)}`, defaultText: '"ringmaster-<short host name>"', example: 'ctl-par1',
  }),
  option('suspect_after', P.integer(1), D.DEFAULT_SUSPECT_AFTER_MISSED, 'An agent turns suspect after this many of its heartbeat intervals without a heartbeat.', { example: 5 }),
  option('lost_after', P.positiveDuration, D.DEFAULT_LOST_AFTER_MS, 'An agent turns lost after this long without a heartbeat.', { example: '30s' }),
  option('request_timeout', P.positiveDuration, D.DEFAULT_REQUEST_TIMEOUT_MS, 'Per-agent timeout of a fleet command when the request names none.', { example: '10s' }),
  option('announce_nats', natsServers, [], 'NATS URLs given to agents that ask by discovery (agents without [nats] servers); empty: [nats] servers.', { example: ['nats://10.0.0.9:4222'] }),
  option('audit_file', P.filePath, undefined, 'Audit trail of mutating fleet commands (JSON lines) when JetStream is not available.', {
    compute: defaultAuditFile, defaultText: `${D.DEFAULT_AUDIT_FILE_ROOT} as root, else $TMPDIR/ringmaster-<uid>/audit.jsonl`, example: '/srv/ringmaster/audit.jsonl',
  }),
  option('jetstream_replicas', P.integer(1, D.MAX_JETSTREAM_REPLICAS), D.DEFAULT_JETSTREAM_REPLICAS,
    'Copies JetStream keeps of the audit stream and the agents bucket: on a NATS cluster, its size (up to 5), so the controllers\' state outlives a node. An existing stream or bucket with fewer is raised to it, never lowered. When the servers cannot keep that many (a server not in a cluster), ringmaster logs a warning and keeps what they can.',
    { example: 3 }),
  option('loglevel', P.oneOf(LOG_LEVELS), 'info', 'Log verbosity of ringmaster.'),
];

/** The tables of ringmaster's file. */
export const CONTROLLER_SECTIONS: readonly string[] = ['controller', 'nats', 'discovery'];

/** Loads and validates a controller file; throws a ConfigError listing every problem. */
export async function loadControllerConfig(file: string): Promise<ControllerConfig> {
  const issues = new Issues();
  const src = await readToml(path.resolve(file), file, issues);
  if (!src) throw new ConfigError(issues.list);
  for (const key of Object.keys(src.data)) {
    if (!CONTROLLER_SECTIONS.includes(key)) issues.add(src.display, joinKey('', key), unknownMessage('section', key, CONTROLLER_SECTIONS));
  }
  const controller = readSection<ControllerSection>(src, 'controller', CONTROLLER_OPTIONS, {}, issues);
  const nats = readSection<NatsConfig>(src, 'nats', NATS_OPTIONS, {}, issues);
  for (const p of natsConfigProblems(nats)) issues.add(src.display, joinKey('nats', p.key), p.message);
  if (issues.count === 0 && nats.servers.length === 0) issues.add(src.display, 'nats.servers', 'required: the controller needs NATS servers to connect to');
  const discovery = readSection<DiscoveryConfig>(src, 'discovery', DISCOVERY_OPTIONS, {}, issues);
  if (issues.count > 0) throw new ConfigError(issues.list);
  return { file: src.abs, controller, nats, discovery };
}

/** Every [controller] option, for docs/configuration.md. */
export function describeControllerOptions(): OptionRow[] {
  return optionRows(CONTROLLER_OPTIONS);
}
