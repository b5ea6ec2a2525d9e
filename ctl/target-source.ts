/**
 * Which input chooses ringctl's target, by precedence: --endpoint, --nats, --context, RING_NATS,
 * CIRCUSCTL_ENDPOINT, the first context file that exists, else the default endpoint. Cheap (no
 * config parsing), so that completion can key its cache on it without loading anything.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ENDPOINT } from '../agent/defaults.ts';

export type TargetSource =
  | { kind: 'endpoint'; endpoint: string; source: string }
  | { kind: 'nats'; urls: string; source: string }
  | { kind: 'context'; file: string; source: string };

export interface TargetInputs {
  endpoint?: string;
  nats?: string;
  context?: string;
}

/** The context files looked for, in order, when none is named. */
export function contextFiles(home = os.homedir()): string[] {
  return [path.join(home, '.config', 'ringmaster', 'ctl.toml'), '/etc/ringmaster/ctl.toml'];
}

export function targetSource(flags: TargetInputs, env: NodeJS.ProcessEnv = process.env): TargetSource {
  if (flags.endpoint) return { kind: 'endpoint', endpoint: flags.endpoint, source: '--endpoint' };
  if (flags.nats) return { kind: 'nats', urls: flags.nats, source: '--nats' };
  if (flags.context) return { kind: 'context', file: flags.context, source: flags.context };
  if (env.RING_NATS) return { kind: 'nats', urls: env.RING_NATS, source: 'RING_NATS' };
  if (env.CIRCUSCTL_ENDPOINT) return { kind: 'endpoint', endpoint: env.CIRCUSCTL_ENDPOINT, source: 'CIRCUSCTL_ENDPOINT' };
  const file = contextFiles(env.HOME ?? os.homedir()).find((f) => existsSync(f));
  if (file) return { kind: 'context', file, source: file };
  return { kind: 'endpoint', endpoint: DEFAULT_ENDPOINT, source: 'default' };
}
