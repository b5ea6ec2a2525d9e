// Soak (not part of npm test): a real nats-server, ringd supervising SOAK_PROCESSES processes and ringmaster, under
// steady churn (bench/soak/churn.ts) for --duration seconds (default 3600). ringd's and ringmaster's RSS, CPU, open fds,
// threads and zombie children are sampled every --sample seconds; the report gives the curve and the trend over the
// second half (after warm-up): RSS growth per hour, fds first vs last, zombies ever seen. Exits 1 when a trend is found.
//   node --import tsx bench/soak.ts [--duration 3600] [--sample 10] [--processes 200] [--out FILE.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster } from '../test/support/fleet.ts';
import { startNats } from '../test/support/nats.ts';
import { waitFor } from '../test/support/wait.ts';
import { startChurn } from './soak/churn.ts';
import { slope, Sampler, type Sample } from './soak/sample.ts';
import { markdownTable } from './lib/table.ts';

const DEFAULT_DURATION_S = 3600;
const DEFAULT_SAMPLE_S = 10;
const DEFAULT_PROCESSES = 200;
/** Verdict: RSS growing more than this over the second half (the fitted trend, not one sample) is a leak; so are more fds. */
const MAX_RSS_GROWTH_MB = 8;
const MAX_FD_GROWTH = 5;
const AGENT = 'soak-1';

const { values } = parseArgs({ options: { duration: { type: 'string' }, sample: { type: 'string' }, processes: { type: 'string' }, out: { type: 'string' } } });
const durationS = Number(values.duration ?? DEFAULT_DURATION_S);
const sampleS = Number(values.sample ?? DEFAULT_SAMPLE_S);
const total = Number(values.processes ?? DEFAULT_PROCESSES);
const share = (f: number) => Math.max(1, Math.round(total * f));

const nats = await startNats();
const dir = fleetDir('soak');
const watchers = `
[watchers.steady]
cmd = "sleep 100000"
numprocesses = ${share(0.6)}
max_retry = -1

[watchers.crashy]
cmd = "sh -c 'sleep $((RANDOM % 20 + 5)); exit 3'"
numprocesses = ${share(0.1)}
max_retry = -1
backoff_reset_after = "2s"

[watchers.noisy]
cmd = "sh -c 'while :; do echo \\"line $$ $(date +%s%N)\\"; sleep 0.2; done'"
numprocesses = ${share(0.15)}
output_lines = 200

[watchers.reloaded]
cmd = "sleep 100001"
numprocesses = ${share(0.15)}
graceful_timeout = "2s"
`;
const ringd = startFleetAgent(dir, [nats.url], { id: AGENT, watchers, nats: 'stats_interval = "2s"' });
const ctl = startRingmaster(dir, [nats.url], { id: 'soak-ctl' });
const nc = await fleetClient([nats.url]);
const cleanup = async () => {
  await nc.close().catch(() => undefined);
  await ringd.stop('SIGTERM', 60_000);
  await ctl.stop('SIGTERM');
  await nats.stop();
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

await waitFor(async () => {
  const r = (await nc.request(`ring.api.numprocesses`, JSON.stringify({ target: { hosts: [AGENT] } }), { timeout: 10_000 })).json<{ status: string }>();
  return r.status === 'ok';
}, { what: 'the fleet to answer', timeoutMs: 120_000, intervalMs: 500 });
console.log(`soak: ${total} processes, ${durationS}s, a sample every ${sampleS}s (ringd ${ringd.child.pid}, ringmaster ${ctl.child.pid})`);
const churn = startChurn(nc, AGENT);
const samplers = { ringd: new Sampler(ringd.child.pid!), ringmaster: new Sampler(ctl.child.pid!) };
const curve: Array<{ t: number; ringd: Sample | null; ringmaster: Sample | null }> = [];
const t0 = performance.now();
while (performance.now() - t0 < durationS * 1000) {
  await new Promise((r) => setTimeout(r, sampleS * 1000));
  const t = Math.round((performance.now() - t0) / 1000);
  const row = { t, ringd: samplers.ringd.sample(t), ringmaster: samplers.ringmaster.sample(t) };
  curve.push(row);
  const s = (x: Sample | null) => (x ? `rss ${x.rssMb.toFixed(1)} MB cpu ${x.cpuPct.toFixed(1)}% fds ${x.fds} thr ${x.threads} zombies ${x.zombies}` : 'gone');
  console.log(`t=${t}s ringd ${s(row.ringd)} | ringmaster ${s(row.ringmaster)}`);
}
churn.stop();

const late = curve.slice(Math.floor(curve.length / 2));
const verdict = (name: 'ringd' | 'ringmaster') => {
  const pts = late.filter((c) => c[name]);
  const first = curve.find((c) => c[name])?.[name];
  const last = pts[pts.length - 1]?.[name];
  const growth = slope(pts.map((c) => c.t / 3600), pts.map((c) => c[name]!.rssMb));
  const cpu = pts.reduce((a, c) => a + c[name]!.cpuPct, 0) / Math.max(1, pts.length);
  const zombies = Math.max(0, ...curve.map((c) => c[name]?.zombies ?? 0));
  const fdGrowth = (last?.extraFds ?? 0) - (pts[0]?.[name]?.extraFds ?? 0);
  const windowH = pts.length > 1 ? (pts[pts.length - 1].t - pts[0].t) / 3600 : 0;
  return { name, rssFirst: first?.rssMb ?? 0, rssLast: last?.rssMb ?? 0, growthMbPerHour: growth, cpuMean: cpu, fdsFirst: first?.fds ?? 0, fdsLast: last?.fds ?? 0, fdGrowth, zombies,
    flat: growth * windowH < MAX_RSS_GROWTH_MB && fdGrowth <= MAX_FD_GROWTH && zombies === 0 && last !== undefined };
};
const results = [verdict('ringd'), verdict('ringmaster')];
console.log(`\nchurn: ${JSON.stringify(churn.counts)}\n`);
console.log(markdownTable(['process', 'RSS first → last (MB)', 'RSS trend, 2nd half (MB/h)', 'CPU mean, 2nd half', 'fds first → last', 'zombies', 'verdict'],
  results.map((r) => [r.name, `${r.rssFirst.toFixed(1)} → ${r.rssLast.toFixed(1)}`, r.growthMbPerHour.toFixed(1), `${r.cpuMean.toFixed(1)} %`, `${r.fdsFirst} → ${r.fdsLast} (${r.fdGrowth >= 0 ? '+' : ''}${r.fdGrowth} unexplained)`,
    String(r.zombies), r.flat ? 'flat' : 'GROWS'])));
if (values.out) writeFileSync(values.out, JSON.stringify({ durationS, sampleS, processes: total, churn: churn.counts, results, curve }, null, 1));
await cleanup();
process.exit(results.every((r) => r.flat) ? 0 : 1);
