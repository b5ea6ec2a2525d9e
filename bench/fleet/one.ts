/**
 * One fleet size on one topology: real ringd agents (up to `real`) plus simulated ones (bench/fleet-sim.ts)
 * on a NATS server or cluster, and 1..n ringmaster controllers. Measures the time until the controllers'
 * view is complete, fleet `status`/`hosts` latency against bare NATS, controller CPU and RSS, NATS
 * messages/s (/varz), a new agent's time to appear and a killed agent's time to be marked suspect and lost.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AgentView, ApiReply, FleetDelta, FleetSnapshot } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import type { TestNats } from '../../test/support/nats.ts';
import { agentSection, startRingd, startTsProgram, type Ringd } from '../../test/support/ringd.ts';
import { waitFor } from '../../test/support/wait.ts';
import { cpuMs, rssMb } from '../lib/proctree.ts';
import { percentile } from '../timing.ts';
import { simId } from '../fleet-sim.ts';
import { startSim, type Sim } from './sim-process.ts';

const RINGMASTER_MAIN = fileURLToPath(new URL('../../controller/main.ts', import.meta.url));
/** Simulated agents per simulator process and per NATS connection. */
const PER_PROCESS = 500;
const PER_CONNECTION = 250;
const VIEW_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 30_000;
const WARMUP_REQUESTS = 5;

export interface Topology { key: string; name: string; nodes: TestNats[]; controllers: number }
export interface Timing { intervalMs: number; suspectAfter: number; lostAfterMs: number }
export interface OneOptions { n: number; real: number; windowS: number; requests: number; timing: Timing; dir: string; log: (m: string) => void }

export interface Latency { p50: number; p99: number; max: number }
export interface FleetRow {
  topology: string; n: number; real: number; controllers: number;
  viewS: number; snapshotKb: number;
  statusAll: Latency; scatter: Latency; hosts: Latency; raw1: Latency;
  rmCpuPct: number; natsCpuPct: number; rmRssMb: number; msgsPerS: number;
  appearS: number; suspectS: number; lostS: number; notes: string[];
}

const lat = (xs: number[]): Latency => ({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), max: Math.max(...xs) });
const realId = (j: number): string => `real-${String(j).padStart(3, '0')}`;

function startRealAgent(dir: string, url: string, id: string, t: Timing): Ringd {
  const file = join(dir, `${id}.toml`);
  writeFileSync(file, `${agentSection(join(dir, id))}\nid = "${id}"\n\n[nats]\nservers = [${JSON.stringify(url)}]\n` +
    `heartbeat_interval = "${t.intervalMs}ms"\n\n[watchers.idle]\ncmd = "sleep 600"\nnumprocesses = 2\n`);
  return startRingd(file);
}

function startController(dir: string, url: string, id: string, t: Timing): Ringd {
  const file = join(dir, `${id}.toml`);
  writeFileSync(file, `[controller]\nid = "${id}"\nsuspect_after = ${t.suspectAfter}\nlost_after = "${t.lostAfterMs}ms"\n` +
    `audit_file = "${join(dir, `${id}-audit.jsonl`)}"\n\n[nats]\nservers = [${JSON.stringify(url)}]\n\n[discovery]\nenabled = false\n`);
  return startTsProgram(RINGMASTER_MAIN, ['--config', file], { name: 'ringmaster' });
}

const inMsgs = async (nodes: TestNats[]): Promise<number> =>
  (await Promise.all(nodes.map((n) => n.monitor<{ in_msgs: number }>('/varz')))).reduce((a, v) => a + v.in_msgs, 0);

export async function runOne(nc: NatsConnection, topo: Topology, o: OneOptions): Promise<FleetRow> {
  const { n, timing: t } = o;
  const urls = topo.nodes.map((x) => x.url);
  const real = Math.min(o.real, n - 1); // at least one simulated agent: the one killed for suspect/lost
  const notes: string[] = [];
  const views = new Map<string, AgentView>();
  const watchers: ((v: AgentView) => void)[] = [];
  let complete = 0;
  let deltas = 0;
  const ready = (v: AgentView | undefined): boolean => v?.state === 'alive' && v.inventory !== null;
  const deltaSub = nc.subscribe(subjects.fleetDeltas, {
    callback: (err, m) => {
      if (err) return;
      deltas++;
      const v = m.json<FleetDelta>().agent;
      const before = ready(views.get(v.id));
      views.set(v.id, v);
      complete += (ready(v) ? 1 : 0) - (before ? 1 : 0);
      for (const w of watchers) w(v);
    },
  });
  const sims: Sim[] = [];
  const agents: Ringd[] = [];
  const rms: Ringd[] = [];
  try {
    o.log(`${topo.name} N=${n}: ${real} real ringd, ${n - real} simulated`);
    for (let j = 0; j < real; j++) agents.push(startRealAgent(o.dir, urls[j % urls.length], realId(j), t));
    const starting = [startSim({ url: urls[0], first: n, count: 0, perConnection: PER_CONNECTION, intervalMs: t.intervalMs })];
    for (let first = 0, k = 0; first < n - real; first += PER_PROCESS, k++) {
      starting.push(startSim({ url: urls[k % urls.length], first, count: Math.min(PER_PROCESS, n - real - first), perConnection: PER_CONNECTION, intervalMs: t.intervalMs }));
    }
    const started = await Promise.allSettled(starting);
    for (const s of started) if (s.status === 'fulfilled') sims.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(agents.map((a) => a.waitForOutput(/NATS: connected/, 60_000)));
    const [extra, ...parts] = sims;

    for (let i = 0; i < topo.controllers; i++) rms.push(startController(o.dir, urls[i % urls.length], `bench-rm-${topo.key}-${n}-${i}`, t));
    const connectedAt = Math.min(...await Promise.all(rms.map(async (rm) => Date.parse((await rm.waitForOutput(/\S+(?= info +NATS: connected)/, 60_000)).trim()))));
    const doneAt = await waitFor(() => complete === n && Date.now(), { what: `all ${n} agents alive with inventory`, timeoutMs: VIEW_TIMEOUT_MS, intervalMs: 5 });
    const viewS = (doneAt - connectedAt) / 1000;
    const snap = await nc.request(subjects.fleetSnapshot, '', { timeout: REQUEST_TIMEOUT_MS });
    const listed = snap.json<FleetSnapshot>().agents.length;
    if (listed !== n) notes.push(`snapshot lists ${listed} agents, expected ${n}`);

    o.log(`${topo.name} N=${n}: view complete in ${viewS.toFixed(2)} s; ${o.windowS} s steady window`);
    await sleep(t.intervalMs);
    const rmPids = rms.map((rm) => rm.child.pid!);
    const natsPids = topo.nodes.map((x) => x.pid);
    const [rm0, nats0, msgs0, deltas0, w0] = [cpuMs(rmPids), cpuMs(natsPids), await inMsgs(topo.nodes), deltas, performance.now()];
    await sleep(o.windowS * 1000);
    const [rm1, nats1, msgs1, w1] = [cpuMs(rmPids), cpuMs(natsPids), await inMsgs(topo.nodes), performance.now()];
    const wall = w1 - w0;
    if (deltas !== deltas0) notes.push(`${deltas - deltas0} fleet deltas during the steady window (expected none)`);

    o.log(`${topo.name} N=${n}: ${o.requests} × (raw 1, raw scatter, status all, hosts)`);
    const ids = [...Array.from({ length: real }, (_, j) => realId(j)), ...Array.from({ length: n - real }, (_, i) => simId(i))];
    const body = (i: number): string => JSON.stringify({ id: `bench-${i}`, command: 'status', properties: {} });
    const okRaw = async (id: string, i: number): Promise<boolean> =>
      (await nc.request(subjects.ctl(id, 'status'), body(i), { timeout: REQUEST_TIMEOUT_MS })).json<{ status: string }>().status === 'ok';
    const call = async (command: string, req: Record<string, unknown>): Promise<ApiReply & { hosts?: unknown[] }> =>
      (await nc.request(subjects.api(command), JSON.stringify(req), { timeout: REQUEST_TIMEOUT_MS })).json<ApiReply & { hosts?: unknown[] }>();
    const tests = {
      raw1: () => okRaw(ids[0], 0),
      scatter: async () => (await Promise.all(ids.map((id, i) => okRaw(id, i)))).every(Boolean),
      statusAll: async () => {
        const r = await call('status', { target: { all: true } });
        return r.status === 'ok' && r.results.length === n && r.results.every((h) => h.status === 'ok');
      },
      hosts: async () => (await call('hosts', {})).hosts?.length === n,
    };
    type Test = keyof typeof tests;
    const samples: Record<Test, number[]> = { raw1: [], scatter: [], statusAll: [], hosts: [] };
    let bad = 0;
    for (let i = 0; i < WARMUP_REQUESTS; i++) for (const k of Object.keys(tests) as Test[]) await tests[k]();
    for (let i = 0; i < o.requests; i++) {
      for (const k of Object.keys(tests) as Test[]) {
        const t0 = performance.now();
        if (!(await tests[k]())) bad++;
        samples[k].push(performance.now() - t0);
      }
    }
    if (bad) notes.push(`${bad} requests got an incomplete or non-ok reply`);

    const fresh = `new-${String(n).padStart(5, '0')}`;
    const seen: Partial<Record<'alive' | 'suspect' | 'lost', number>> = {};
    const victim = n > real ? simId(Math.floor((n - real) / 2)) : undefined;
    watchers.push((v) => {
      if (v.id === fresh && ready(v)) seen.alive ??= Date.now();
      if (v.id === victim && (v.state === 'suspect' || v.state === 'lost')) seen[v.state] ??= Date.now();
    });
    extra.send(`add ${fresh}`);
    const added = await waitFor(() => extra.events.find((e) => e.event === 'added' && e.id === fresh), { what: `${fresh} added`, timeoutMs: 5000, intervalMs: 5 });
    await waitFor(() => seen.alive, { what: `${fresh} alive in the controllers' view`, timeoutMs: 30_000, intervalMs: 5 });
    const appearS = (seen.alive! - (added.first_hb ?? 0)) / 1000;

    if (!victim) throw new Error('no simulated agent to kill');
    let suspectS: number;
    let lostS: number;
    {
      o.log(`${topo.name} N=${n}: killing ${victim}`);
      const part = parts.find((p) => simId(p.first) <= victim && victim < simId(p.first + p.count))!;
      part.send(`kill ${victim}`);
      const killed = await waitFor(() => part.events.find((e) => e.event === 'killed'), { what: `${victim} killed`, timeoutMs: 5000, intervalMs: 5 });
      await waitFor(() => seen.lost, { what: `${victim} lost`, timeoutMs: t.lostAfterMs + 30_000, intervalMs: 20 });
      const from = killed.last_hb ?? killed.at!;
      suspectS = seen.suspect === undefined ? Number.NaN : (seen.suspect - from) / 1000;
      lostS = (seen.lost! - from) / 1000;
    }

    for (const rm of rms) {
      const errors = rm.output().split('\n').filter((l) => /^\S+ error /.test(l));
      if (errors.length) notes.push(`ringmaster logged ${errors.length} error line(s), first: ${errors[0].slice(0, 200)}`);
    }
    return {
      topology: topo.name, n, real, controllers: topo.controllers, viewS, snapshotKb: snap.data.length / 1024,
      statusAll: lat(samples.statusAll), scatter: lat(samples.scatter), hosts: lat(samples.hosts), raw1: lat(samples.raw1),
      rmCpuPct: ((rm1 - rm0) / wall) * 100, natsCpuPct: ((nats1 - nats0) / wall) * 100, rmRssMb: Math.max(...rmPids.map((p) => rssMb([p]))),
      msgsPerS: ((msgs1 - msgs0) * 1000) / wall, appearS, suspectS, lostS, notes,
    };
  } finally {
    deltaSub.unsubscribe();
    await Promise.allSettled(rms.map((rm) => rm.stop('SIGTERM', 5000)));
    await Promise.allSettled([...sims.map((s) => s.close()), ...agents.map((a) => a.stop('SIGTERM', 20_000))]);
  }
}
