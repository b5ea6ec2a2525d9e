// One soak run: a real nats-server, ringd supervising `processes` processes (steady, crashing, chatty, reloaded) and
// ringmaster, under steady churn (churn.ts); each daemon sampled every `sampleS` seconds from /proc and from its own
// V8 heap (heap.ts), for `durationS` seconds; every COLLECT_EVERY samples after a full collection (the live heap).
// Prints every sample; returns the curve and what the churn did.
import { fleetClient, fleetDir, startFleetAgent, startRingmaster } from '../../test/support/fleet.ts';
import { startNats } from '../../test/support/nats.ts';
import { waitFor } from '../../test/support/wait.ts';
import { startChurn, type ChurnCounts } from './churn.ts';
import { probeEnv, probeHeap, type HeapSample } from './heap.ts';
import { Sampler } from './sample.ts';
import type { Curve, Daemon, Point } from './verdict.ts';

const AGENT = 'soak-1';
/** One sample in this many runs a full collection first: the live heap, often enough for a trend, rarely enough not to change what is measured. */
const COLLECT_EVERY = 6;

/** The soaked watchers: idle, crashing, chatty (output followed and tailed) and rolling-reloaded, by share of the total. */
const watchersToml = (share: (f: number) => number) => `
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

export async function runSoak(opts: { durationS: number; sampleS: number; processes: number }): Promise<{ curve: Curve; churn: ChurnCounts }> {
  const { durationS, sampleS } = opts;
  const share = (f: number) => Math.max(1, Math.round(opts.processes * f));
  const nats = await startNats();
  const dir = fleetDir('soak');
  const watchers = watchersToml(share);
  const probes = `${dir}/probes`;
  const env = probeEnv(probes);
  const ringd = startFleetAgent(dir, [nats.url], { id: AGENT, watchers, nats: 'stats_interval = "2s"', env });
  const ctl = startRingmaster(dir, [nats.url], { id: 'soak-ctl', env });
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
  console.log(`soak: ${opts.processes} processes, ${durationS}s, a sample every ${sampleS}s (ringd ${ringd.child.pid}, ringmaster ${ctl.child.pid})`);
  const churn = startChurn(nc, AGENT);
  const samplers: Record<Daemon, Sampler> = { ringd: new Sampler(ringd.child.pid!), ringmaster: new Sampler(ctl.child.pid!) };
  const curve: Curve = [];
  const point = async (name: Daemon, t: number, collect: boolean): Promise<Point | null> => {
    const s = samplers[name].sample(t);
    return s && { ...s, heap: await probeHeap(samplers[name].pid, probes, collect) };
  };
  const t0 = performance.now();
  while (performance.now() - t0 < durationS * 1000) {
    await new Promise((r) => setTimeout(r, sampleS * 1000));
    const t = Math.round((performance.now() - t0) / 1000);
    const collect = (curve.length + 1) % COLLECT_EVERY === 0;
    const row = { t, ringd: await point('ringd', t, collect), ringmaster: await point('ringmaster', t, collect) };
    curve.push(row);
    const heap = (h: HeapSample | null) => (h ? ` heap ${h.usedMb.toFixed(1)}/${h.committedMb.toFixed(1)} MB${h.liveMb !== undefined ? ' live' : ''} (young ${h.newSpaceMb.toFixed(1)}, external ${h.externalMb.toFixed(1)})` : '');
    const s = (x: Point | null) => (x ? `rss ${x.rssMb.toFixed(1)} MB${heap(x.heap)} cpu ${x.cpuPct.toFixed(1)}% fds ${x.fds} thr ${x.threads} zombies ${x.zombies}` : 'gone');
    console.log(`t=${t}s ringd ${s(row.ringd)} | ringmaster ${s(row.ringmaster)}`);
  }
  churn.stop();
  await cleanup();
  return { curve, churn: churn.counts };
}
