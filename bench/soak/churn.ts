// The soak's steady churn, all through the real fleet (NATS): crashes (kill -9 of a random worker), reloads, resizes,
// tails, follow leases and fleet commands, each on its own period. Every failure is counted, never fatal.
import type { NatsConnection } from '@nats-io/transport-node';
import type { Inventory } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';

export interface ChurnCounts {
  kills: number;
  reloads: number;
  resizes: number;
  tails: number;
  follows: number;
  fleet: number;
  errors: number;
}

/** Periods of each kind of churn (ms). */
export const CHURN = { killMs: 2000, fleetMs: 3000, tailMs: 5000, followMs: 5000, resizeMs: 20_000, reloadMs: 60_000 };
const REQUEST_TIMEOUT_MS = 30_000;

export function startChurn(nc: NatsConnection, agent: string): { counts: ChurnCounts; stop(): void } {
  const counts: ChurnCounts = { kills: 0, reloads: 0, resizes: 0, tails: 0, follows: 0, fleet: 0, errors: 0 };
  const ctl = async (command: string, properties: Record<string, unknown> = {}) => {
    const m = await nc.request(subjects.ctl(agent, command), JSON.stringify({ command, properties }), { timeout: REQUEST_TIMEOUT_MS });
    const reply = m.json<Record<string, unknown>>();
    if (reply.status === 'error') throw new Error(String(reply.reason));
    return reply;
  };
  const api = (command: string, properties: Record<string, unknown> = {}) =>
    nc.request(subjects.api(command), JSON.stringify({ target: { hosts: [agent] }, properties }), { timeout: REQUEST_TIMEOUT_MS });
  let grown = false;
  const every = (ms: number, f: () => Promise<unknown>) => setInterval(() => void f().catch(() => counts.errors++), ms);
  const timers = [
    every(CHURN.killMs, async () => {
      const inv = (await ctl('inventory')).inventory as Inventory;
      const pids = inv.watchers.find((w) => w.name === 'steady')?.processes.map((p) => p.pid).filter((p): p is number => p !== null) ?? [];
      if (pids.length === 0) return;
      process.kill(pids[Math.floor(Math.random() * pids.length)], 'SIGKILL');
      counts.kills++;
    }),
    every(CHURN.fleetMs, async () => {
      await api('status');
      await nc.request(subjects.fleetSnapshot, '', { timeout: REQUEST_TIMEOUT_MS });
      counts.fleet++;
    }),
    every(CHURN.tailMs, async () => {
      await ctl('tail', { name: 'noisy', lines: 50 });
      counts.tails++;
    }),
    every(CHURN.followMs, async () => {
      await nc.request(subjects.follow(agent), JSON.stringify({ watcher: 'noisy', lease_ms: 3000 }), { timeout: REQUEST_TIMEOUT_MS });
      counts.follows++;
    }),
    every(CHURN.resizeMs, async () => {
      await ctl(grown ? 'decr' : 'incr', { name: 'steady', nb: 5, waiting: true });
      grown = !grown;
      counts.resizes++;
    }),
    every(CHURN.reloadMs, async () => {
      await api('reload', { name: 'reloaded', waiting: true });
      counts.reloads++;
    }),
  ];
  const logs = nc.subscribe(subjects.log(agent, 'noisy'), { callback: () => undefined });
  return { counts, stop: () => { for (const t of timers) clearInterval(t); logs.unsubscribe(); } };
}
