// Fleet end-to-end tests: real ringd agents and ringmaster controllers on one nats-server, and a client of the fleet API.
// (Rebuilt from test/controller/fleet.test.ts's use of it, after the agent-link work overwrote the original by mistake.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AgentView, ApiReply, FleetSnapshot } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { agentSection, startRingd, startTsProgram, type Ringd } from './ringd.ts';
import { tmpDir } from './tmp.ts';
import { waitFor } from './wait.ts';

const RINGMASTER_MAIN = fileURLToPath(new URL('../../controller/main.ts', import.meta.url));

/** A running ringmaster (same handle as a ringd). */
export type Ringmaster = Ringd;

/** A fresh temp folder for the configs, state and audit files of one fleet. */
export function fleetDir(prefix: string): string {
  return tmpDir(prefix);
}

const list = (servers: string[]) => `[${servers.map((s) => JSON.stringify(s)).join(', ')}]`;

/**
 * Writes <dir>/<id>.toml (discovery off, `nats`: extra [nats] lines, `watchers`: the watcher tables, default `idle`: 2 × sleep)
 * and starts ringd; does not wait.
 */
export function startFleetAgent(dir: string, servers: string[], opts: { id: string; labels?: Record<string, string>; nats?: string; watchers?: string; env?: Record<string, string> }): Ringd {
  const labels = Object.entries(opts.labels ?? {}).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ');
  const file = join(dir, `${opts.id}.toml`);
  writeFileSync(file, `${agentSection(join(dir, opts.id))}
id = "${opts.id}"
labels = { ${labels} }

[nats]
servers = ${list(servers)}
heartbeat_interval = "500ms"
${opts.nats ?? ''}

${opts.watchers ?? '[watchers.idle]\ncmd = "sleep 600"\nnumprocesses = 2'}
`);
  return startRingd(file, { env: opts.env });
}

/**
 * Writes <dir>/<id>-ringmaster.toml (audit trail <dir>/<id>-audit.jsonl, discovery off; `controller`, `nats`: extra lines of
 * those tables) and starts ringmaster; does not wait.
 */
export function startRingmaster(dir: string, servers: string[], opts: { id: string; controller?: string; nats?: string; env?: Record<string, string> }): Ringmaster {
  const file = join(dir, `${opts.id}-ringmaster.toml`);
  writeFileSync(file, `[controller]
id = "${opts.id}"
audit_file = "${join(dir, `${opts.id}-audit.jsonl`)}"
${opts.controller ?? ''}

[nats]
servers = ${list(servers)}
${opts.nats ?? ''}

[discovery]
enabled = false
`);
  return startTsProgram(RINGMASTER_MAIN, ['--config', file], { name: 'ringmaster', env: opts.env });
}

/** A client connection to the fleet's NATS (reconnecting quickly). */
export function fleetClient(servers: string[]): Promise<NatsConnection> {
  return connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
}

/** A fleet command on ring.api.<command>; resolves with the controllers' reply. */
export async function api(nc: NatsConnection, command: string, body: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<ApiReply & { hosts?: AgentView[] }> {
  const m = await nc.request(subjects.api(command), JSON.stringify(body), { timeout: timeoutMs });
  return m.json<ApiReply & { hosts?: AgentView[] }>();
}

/** Asks for the fleet snapshot until `pred` holds for it (a controller may not answer yet); resolves with it. */
export function waitFleet(nc: NatsConnection, pred: (s: FleetSnapshot) => boolean, what: string, timeoutMs = 60_000): Promise<FleetSnapshot> {
  return waitFor(async () => {
    const s = (await nc.request(subjects.fleetSnapshot, '', { timeout: 5000 })).json<FleetSnapshot>();
    return pred(s) && s;
  }, { what: `fleet snapshot: ${what}`, timeoutMs, intervalMs: 200 });
}
