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
import { heapProbeEnv, probeHeap, type HeapSample } from './soak/heap.ts';
import { slope, Sampler, type Sample } from './soak/sample.ts';
import { markdownTable } from './lib/table.ts';

const DEFAULT_DURATION_S = 3600;
const DEFAULT_SAMPLE_S = 10;
const DEFAULT_PROCESSES = 200;
/** Verdict: RSS growing more than this over the second half (the fitted trend, not one sample) is a leak; so are more fds. */
const MAX_RSS_GROWTH_MB = 8;
const MAX_FD_GROWTH = 5;
/** Samples at each end of the second half whose median fd count is compared. */
const FD_WINDOW = 6;
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
const reports = `${dir}/reports`;
const ringd = startFleetAgent(dir, [nats.url], { id: AGENT, watchers, nats: 'stats_interval = "2s"', env: heapProbeEnv(reports) });
const ctl = startRingmaster(dir, [nats.url], { id: 'soak-ctl', env: heapProbeEnv(reports) });
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
type Point = Sample & { heap: HeapSample | null };
const curve: Array<{ t: number; ringd: Point | null; ringmaster: Point | null }> = [];
const point = async (name: keyof typeof samplers, t: number): Promise<Point | null> => {
  const s = samplers[name].sample(t);
  return s && { ...s, heap: await probeHeap(samplers[name].pid, reports) };
};
const t0 = performance.now();
while (performance.now() - t0 < durationS * 1000) {
  await new Promise((r) => setTimeout(r, sampleS * 1000));
  const t = Math.round((performance.now() - t0) / 1000);
  const row = { t, ringd: await point('ringd', t), ringmaster: await point('ringmaster', t) };
  curve.push(row);
  const heap = (h: HeapSample | null) => (h ? ` heap ${h.usedMb.toFixed(1)}/${h.committedMb.toFixed(1)} MB (young ${h.newSpaceMb.toFixed(1)}, external ${h.externalMb.toFixed(1)})` : '');
  const s = (x: Point | null) => (x ? `rss ${x.rssMb.toFixed(1)} MB${heap(x.heap)} cpu ${x.cpuPct.toFixed(1)}% fds ${x.fds} thr ${x.threads} zombies ${x.zombies}` : 'gone');
  console.log(`t=${t}s ringd ${s(row.ringd)} | ringmaster ${s(row.ringmaster)}`);
}
churn.stop();

const late = curve.slice(Math.floor(curve.length / 2));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const verdict = (name: 'ringd' | 'ringmaster') => {
  const pts = late.flatMap((c) => (c[name] ? [c[name]] : []));
  const first = curve.find((c) => c[name])?.[name];
  const last = pts[pts.length - 1];
  const trend = (y: (p: Point) => number | undefined) => {
    const xy = pts.flatMap((p) => { const v = y(p); return v === undefined ? [] : [[p.t / 3600, v]]; });
    return slope(xy.map((v) => v[0]), xy.map((v) => v[1]));
  };
  const growth = trend((p) => p.rssMb);
  const heapGrowth = trend((p) => p.heap?.usedMb);
  const cpu = pts.reduce((a, p) => a + p.cpuPct, 0) / Math.max(1, pts.length);
  const zombies = Math.max(0, ...curve.map((c) => c[name]?.zombies ?? 0));
  // fds counted against the children's pipes jitter while processes start and stop (resizes, kills): compare the
  // median of the first and the last FD_WINDOW samples of the second half, not two single samples.
  const fdGrowth = median(pts.slice(-FD_WINDOW).map((p) => p.extraFds)) - median(pts.slice(0, FD_WINDOW).map((p) => p.extraFds));
  const windowH = pts.length > 1 ? (pts[pts.length - 1].t - pts[0].t) / 3600 : 0;
  return { name, rssFirst: first?.rssMb ?? 0, rssLast: last?.rssMb ?? 0, growthMbPerHour: growth, heapGrowthMbPerHour: heapGrowth, cpuMean: cpu,
    fdsFirst: first?.fds ?? 0, fdsLast: last?.fds ?? 0, fdGrowth, zombies,
    flat: growth * windowH < MAX_RSS_GROWTH_MB && fdGrowth <= MAX_FD_GROWTH && zombies === 0 && last !== undefined };
};
const results = [verdict('ringd'), verdict('ringmaster')];
console.log(`\nchurn: ${JSON.stringify(churn.counts)}\n`);
console.log(markdownTable(['process', 'RSS first → last (MB)', 'RSS trend, 2nd half (MB/h)', 'V8 heap used trend (MB/h)', 'CPU mean, 2nd half', 'fds first → last', 'zombies', 'verdict'],
  results.map((r) => [r.name, `${r.rssFirst.toFixed(1)} → ${r.rssLast.toFixed(1)}`, r.growthMbPerHour.toFixed(1), r.heapGrowthMbPerHour.toFixed(1), `${r.cpuMean.toFixed(1)} %`,
    `${r.fdsFirst} → ${r.fdsLast} (${r.fdGrowth >= 0 ? '+' : ''}${r.fdGrowth} unexplained)`, String(r.zombies), r.flat ? 'flat' : 'GROWS'])));
if (values.out) writeFileSync(values.out, JSON.stringify({ durationS, sampleS, processes: total, churn: churn.counts, results, curve }, null, 1));
await cleanup();
process.exit(results.every((r) => r.flat) ? 0 : 1);
