/**
 * Where ringctl sends commands: one local ringd (ZeroMQ; --endpoint, CIRCUSCTL_ENDPOINT, default
 * tcp://127.0.0.1:5555) or the fleet through the controllers (NATS; --nats URL, RING_NATS, or a
 * context file holding [nats] with credentials: --context FILE, ~/.config/ringmaster/ctl.toml,
 * /etc/ringmaster/ctl.toml). Explicit flags win over the environment, which wins over files.
 */
import path from 'node:path';
import { ConfigError } from '../protocol/errors.ts';
import type { Target as FleetSelector } from '../protocol/fleet/messages.ts';
import { NATS_OPTIONS, natsConfigProblems, natsServers, type NatsConfig } from '../agent/config/nats.ts';
import { Issues, joinKey } from '../agent/config/issues.ts';
import { Invalid } from '../agent/config/parsers.ts';
import { readSection, readToml } from '../agent/config/sections.ts';
import { unknownMessage } from '../agent/config/suggest.ts';
import { CtlError } from './errors.ts';
import { targetSource } from './target-source.ts';

export type Target = { mode: 'local'; endpoint: string; source: string } | { mode: 'fleet'; nats: NatsConfig; source: string };

export interface ContextFlags {
  endpoint?: string;
  nats?: string;
  context?: string;
  host?: string[];
  label?: string[];
  all?: boolean;
}

/** What selectors in local mode are told. */
export const NEEDS_FLEET = '--host, --label and --all need the fleet: give --nats URL (or RING_NATS, or a context file)';

/** The fleet target the --host/--label/--all flags name, or undefined when none is given. */
export function selectors(f: ContextFlags): FleetSelector | undefined {
  if (!f.host?.length && !f.label?.length && !f.all) return undefined;
  return { ...(f.host?.length ? { hosts: f.host.flatMap((h) => h.split(',')) } : {}), ...(f.label?.length ? { labels: f.label } : {}), ...(f.all ? { all: true } : {}) };
}


async function readContext(file: string): Promise<NatsConfig> {
  const issues = new Issues();
  const src = await readToml(path.resolve(file), file, issues);
  if (src) {
    for (const key of Object.keys(src.data)) if (key !== 'nats') issues.add(file, joinKey('', key), unknownMessage('section', key, ['nats']));
    const nats = readSection<NatsConfig>(src, 'nats', NATS_OPTIONS, {}, issues);
    for (const p of natsConfigProblems(nats)) issues.add(file, joinKey('nats', p.key), p.message);
    if (issues.count === 0 && nats.servers.length === 0) issues.add(file, 'nats.servers', 'required: the NATS servers of the fleet');
    if (issues.count === 0) return nats;
  }
  throw new CtlError('usage', `context file: ${new ConfigError(issues.list).message}`);
}

function natsFrom(urls: string, source: string): NatsConfig {
  const servers = natsServers.parse(urls.split(','), { dir: process.cwd() });
  if (servers instanceof Invalid) throw new CtlError('usage', `${source}: ${servers.message}`);
  const defaults: Partial<NatsConfig> = {};
  for (const o of NATS_OPTIONS) o.apply(undefined, { dir: process.cwd() }, defaults);
  return { ...(defaults as NatsConfig), servers };
}

export async function resolveTarget(flags: ContextFlags, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const from = targetSource(flags, env);
  switch (from.kind) {
    case 'endpoint':
      return { mode: 'local', endpoint: from.endpoint, source: from.source };
    case 'nats':
      return { mode: 'fleet', nats: natsFrom(from.urls, from.source), source: from.source };
    case 'context':
      return { mode: 'fleet', nats: await readContext(from.file), source: from.source };
  }
}

/** How the current target is shown (prompt, errors): "tcp://127.0.0.1:5555" or "fleet nats://10.0.0.9:4222". */
export function describeTarget(t: Target): string {
  return t.mode === 'local' ? t.endpoint : `fleet ${t.nats.servers.join(',')}`;
}
