/**
 * `bench fleet`: for each topology (one nats-server + one controller; a three-node NATS cluster + two
 * controllers) and each fleet size N, the figures of bench/fleet/one.ts, and how their cost grows with N.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { fleetClient } from '../../test/support/fleet.ts';
import { NATS_SERVER_BIN, startNats, startNatsCluster } from '../../test/support/nats.ts';
import { tmpDir } from '../../test/support/tmp.ts';
import { spawnSync } from 'node:child_process';
import { runOne, type FleetRow, type Timing } from './one.ts';

export const DEFAULT_AGENTS = [10, 100, 1000];
export const QUICK_AGENTS = [3];
/** Real ringd processes at most (each costs ~100 MB and ~1 s of CPU to start); beyond, agents are simulated. */
export const DEFAULT_REAL = 10;
const QUICK_REAL = 2;
const DEFAULT_WINDOW_S = 10;
const QUICK_WINDOW_S = 2;
const DEFAULT_REQUESTS = 100;
const QUICK_REQUESTS = 10;
export const TIMING: Timing = { intervalMs: 1000, suspectAfter: 3, lostAfterMs: 5000 };
const QUICK_TIMING: Timing = { intervalMs: 500, suspectAfter: 3, lostAfterMs: 2000 };
/** A cost grows "at most linearly" when its growth exponent between two sizes is at most 1 + this. */
export const LINEAR_TOLERANCE = 0.25;

export interface FleetOptions { quick: boolean; agents?: number[]; real?: number; windowS?: number; requests?: number; log: (m: string) => void }
export interface Growth { topology: string; from: number; to: number; exponents: Record<string, number>; linear: boolean }
export interface FleetRun { natsVersion: string; timing: Timing; windowS: number; requests: number; rows: FleetRow[]; growth: Growth[] }

/** Costs whose growth with N is checked, and how to read them from a row. */
export const COSTS: Record<string, (r: FleetRow) => number> = {
  'controller CPU': (r) => r.rmCpuPct,
  'controller RSS': (r) => r.rmRssMb,
  'status all p50': (r) => r.statusAll.p50,
  'NATS msgs/s': (r) => r.msgsPerS,
};

export function growth(rows: FleetRow[]): Growth[] {
  const out: Growth[] = [];
  for (const topology of [...new Set(rows.map((r) => r.topology))]) {
    const rs = rows.filter((r) => r.topology === topology).sort((a, b) => a.n - b.n);
    for (let i = 1; i < rs.length; i++) {
      const [a, b] = [rs[i - 1], rs[i]];
      const exponents = Object.fromEntries(Object.entries(COSTS).map(([k, f]) => [k, Math.log(Math.max(f(b), 1e-3) / Math.max(f(a), 1e-3)) / Math.log(b.n / a.n)]));
      out.push({ topology, from: a.n, to: b.n, exponents, linear: Object.values(exponents).every((e) => e <= 1 + LINEAR_TOLERANCE) });
    }
  }
  return out;
}

export async function runFleet(o: FleetOptions): Promise<FleetRun> {
  const sizes = o.agents ?? (o.quick ? QUICK_AGENTS : DEFAULT_AGENTS);
  const real = o.real ?? (o.quick ? QUICK_REAL : DEFAULT_REAL);
  const windowS = o.windowS ?? (o.quick ? QUICK_WINDOW_S : DEFAULT_WINDOW_S);
  const requests = o.requests ?? (o.quick ? QUICK_REQUESTS : DEFAULT_REQUESTS);
  const timing = o.quick ? QUICK_TIMING : TIMING;
  const rows: FleetRow[] = [];
  const dir = tmpDir('bench-fleet');
  for (const variant of ['single', 'cluster'] as const) {
    const single = variant === 'single' ? await startNats({ name: 'bench-fleet' }) : undefined;
    const cluster = variant === 'cluster' ? await startNatsCluster(3, { name: 'bench-fleet' }) : undefined;
    const nodes = single ? [single] : cluster!.nodes;
    const topo = { key: variant, name: single ? '1 nats, 1 controller' : '3-node nats cluster, 2 controllers', nodes, controllers: single ? 1 : 2 };
    let nc: NatsConnection | undefined;
    try {
      nc = await fleetClient([nodes[0].url]);
      for (const n of sizes) rows.push(await runOne(nc, topo, { n, real, windowS, requests, timing, dir, log: o.log }));
    } finally {
      await nc?.close();
      await (single ?? cluster)!.stop();
    }
  }
  const natsVersion = spawnSync(NATS_SERVER_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { natsVersion, timing, windowS, requests, rows, growth: growth(rows) };
}

export { fleetMarkdown } from './report.ts';
