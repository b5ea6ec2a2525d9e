/** The fleet report: one table row per topology × N, the legend, and the growth of each cost with N. */
import { fmt } from '../timing.ts';
import { markdownTable } from '../lib/table.ts';
import type { Latency } from './one.ts';
import type { FleetRun } from './run.ts';

const l2 = (x: Latency): string => `${fmt(x.p50)} / ${fmt(x.p99)}`;

export function fleetMarkdown(run: FleetRun): string {
  const t = run.timing;
  const table = markdownTable(
    ['topology', 'N (real ringd)', 'view s', 'snapshot KB', 'status all ms p50/p99', 'BASE scatter ms p50/p99', 'hosts ms p50/p99',
      'BASE 1 req ms p50/p99', 'controller CPU %', 'nats CPU %', 'controller RSS MB', 'NATS msgs/s in', 'appear ms', 'suspect s', 'lost s'],
    run.rows.map((r) => [r.topology, `${r.n} (${r.real})`, fmt(r.viewS), fmt(r.snapshotKb), l2(r.statusAll), l2(r.scatter), l2(r.hosts), l2(r.raw1),
      fmt(r.rmCpuPct), fmt(r.natsCpuPct), fmt(r.rmRssMb), fmt(r.msgsPerS), fmt(r.appearS * 1000), fmt(r.suspectS), fmt(r.lostS)]),
  );
  const growth = run.growth.map((g) => `- ${g.topology}, N ${g.from} → ${g.to}: ` +
    `${Object.entries(g.exponents).map(([k, e]) => `${k} ×N^${fmt(e)}`).join(', ')} — ${g.linear ? 'at most linear' : '**faster than linear**'}`);
  const notes = run.rows.flatMap((r) => r.notes.map((n) => `- note (${r.topology}, N=${r.n}): ${n}`));
  return `${run.natsVersion}; heartbeats every ${t.intervalMs / 1000} s, suspect_after ${t.suspectAfter}, lost_after ${t.lostAfterMs / 1000} s; ` +
    `${run.requests} requests per latency figure, ${run.windowS} s steady window.\n\n${table}\n\n` +
    `view s: controllers connected → their deltas show all N alive with inventory. status all: ring.api.status to every host through a ` +
    `controller; BASE: the same agents asked straight over NATS (scatter = N requests at once; 1 req = one agent). CPU % of one core ` +
    `over the steady window (heartbeats and stats only; controllers summed, nats nodes summed); RSS: the largest controller. NATS msgs/s: ` +
    `/varz in_msgs summed over the nodes. appear: a new agent's first heartbeat → the controllers' delta showing it alive with inventory. ` +
    `suspect/lost: a simulated agent's last heartbeat → the delta with that state.\n\n` +
    `Growth of each cost with N (exponent e in cost ∝ N^e; at most linear when e ≤ 1.25):\n${growth.join('\n') || '- one size only'}\n` +
    `${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}
