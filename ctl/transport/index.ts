/**
 * Opens a transport, loading only the one needed: zeromq for one agent, the NATS client for the
 * fleet (each costs start-up time a command that does not use it should not pay).
 */
import type { NatsConfig } from '../../agent/config/nats.ts';
import { NEEDS_FLEET, resolveTarget, selectors, type ContextFlags } from '../context.ts';
import { CtlError } from '../errors.ts';
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

export interface TargetFlags extends ContextFlags {
  timeout: number;
  curveServerKey?: string;
}

/**
 * Runs `local` on the one agent or `fleet` on the fleet the flags name (selectors need the fleet),
 * and closes the transport afterwards.
 */
export async function onTarget<T>(f: TargetFlags, local: (t: LocalTarget) => Promise<T>, fleet: (t: FleetTarget) => Promise<T>): Promise<T> {
  const t = await resolveTarget(f);
  if (t.mode === 'local') {
    if (selectors(f)) throw new CtlError('usage', NEEDS_FLEET);
    const l = await openLocal(t.endpoint, { timeoutMs: f.timeout * 1000, curveServerKey: f.curveServerKey });
    try {
      return await local(l);
    } finally {
      l.close();
    }
  }
  const fl = await openFleet(t.nats, f.timeout * 1000);
  try {
    return await fleet(fl);
  } finally {
    await fl.close();
  }
}

/** Resolves at the first SIGINT or SIGTERM (Ctrl-C ends a streaming command cleanly). */
export function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
