/**
 * Opens a transport, loading only the one needed: zeromq for one agent, the NATS client for the
 * fleet (each costs start-up time a command that does not use it should not pay).
 */
import type { NatsConfig } from '../../agent/config/nats.ts';
import type { FleetTarget } from './fleet.ts';
import type { LocalOptions, LocalTarget } from './local.ts';

export async function openLocal(endpoint: string, opts: LocalOptions): Promise<LocalTarget> {
  const { LocalTarget } = await import('./local.ts');
  return new LocalTarget(endpoint, opts);
}

export async function openFleet(nats: NatsConfig, timeoutMs: number): Promise<FleetTarget> {
  const { FleetTarget } = await import('./fleet.ts');
  return FleetTarget.connect(nats, timeoutMs);
}
