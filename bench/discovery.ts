/**
 * Discovery latency in a two-host netns lab (root only): how long from starting ringd until a
 * listener on the other host has seen it, from its "announcing" log line until seen, and from
 * SIGTERM until the listener marks it left. Baseline, same run: the discovery code alone (the
 * controller-side fixture, also started through tsx), which gives the floor of process start-up.
 * Usage: node --import tsx bench/discovery.ts [runs=5]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListenerEvent } from '../controller/discovery/listener.ts';
import { DEFAULT_DISCOVERY_GROUP, DEFAULT_DISCOVERY_PORT } from '../agent/defaults.ts';
import { fixturePath, labProcess, RINGD_MAIN, startLabListener, type LabListener } from '../test/support/discovery-lab.ts';
import { createLab, netnsAvailable, type Host } from '../test/support/netns.ts';
import { tmpDir } from '../test/support/tmp.ts';

const RUNS = Number(process.argv[2] ?? 5);
const avail = netnsAvailable();
if (!avail.ok) {
  process.stderr.write(`bench/discovery needs network namespaces: ${avail.reason}\n`);
  process.exit(2);
}
const tsx = import.meta.resolve('tsx');
const lab = await createLab(2);
const [h1, h2] = lab.hosts;
const dir = tmpDir('ring-bench-discovery');
const listener = await startLabListener(h2, []);

interface Sample { seen: number; announceToSeen?: number; left: number }

async function once(id: string, start: () => ReturnType<typeof labProcess>, l: LabListener): Promise<Sample> {
  const from = l.events().length;
  const t0 = Date.now();
  const p = start();
  const mine = (kind: ListenerEvent['event']) => (e: ListenerEvent) => e.event === kind && 'peer' in e && e.peer.id === id;
  const seen = await l.waitEvent(mine('seen'), `${id} seen`, { from });
  const announced = /^(\S+) info +discovery: announcing/m.exec(p.output());
  const t1 = Date.now();
  await p.stop('SIGTERM');
  const left = await l.waitEvent(mine('left'), `${id} left`, { from });
  return { seen: seen.at - t0, announceToSeen: announced ? seen.at - Date.parse(announced[1]) : undefined, left: left.at - t1 };
}

function ringd(host: Host): () => ReturnType<typeof labProcess> {
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `[agent]\nid = "bench-1"\nstate_dir = "${dir}/state"\nendpoint = "ipc://${dir}/ctl.sock"\n` +
    `pubsub_endpoint = "ipc://${dir}/ev.sock"\nstats_endpoint = "ipc://${dir}/st.sock"\n[discovery]\ninterface = "veth0"\n` +
    '[watchers.idle]\ncmd = "sleep 600"\nnumprocesses = 4\n');
  return () => labProcess(host, process.execPath, ['--import', tsx, RINGD_MAIN, '--config', file]);
}

const bare = (host: Host) => () => labProcess(host, process.execPath, ['--import', tsx, fixturePath('discovery-controller.ts'), JSON.stringify({
  id: 'bare-1', iface: 'veth0', group: DEFAULT_DISCOVERY_GROUP, port: DEFAULT_DISCOVERY_PORT, nats: [], intervalMs: 2000,
})]);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: string[][] = [['what', 'start → seen (median, max)', 'announce → seen (median)', 'SIGTERM → left (median)']];
try {
  for (const [label, id, start] of [['baseline: discovery code alone (tsx)', 'bare-1', bare(h1)], ['ringd, 4 processes', 'bench-1', ringd(h1)]] as const) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await once(id, start, listener));
    const a2s = samples.flatMap((s) => (s.announceToSeen === undefined ? [] : [s.announceToSeen]));
    rows.push([label, `${median(samples.map((s) => s.seen))} ms, ${Math.max(...samples.map((s) => s.seen))} ms`,
      a2s.length ? `${median(a2s)} ms` : 'n/a', `${median(samples.map((s) => s.left))} ms`]);
  }
} finally {
  await listener.stop();
  await lab.teardown();
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
process.stdout.write(`discovery latency over ${RUNS} runs, listener on another netns host (announce interval 2 s)\n`);
for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
