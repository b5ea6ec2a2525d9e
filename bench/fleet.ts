/**
 * The fleet at scale over the real protocol: a real nats-server, a real ringmaster (discovery off, fresh per N) and N
 * simulated agents (bench/fleet-sim.ts: real heartbeats and ctl replies, 250 agents per NATS connection, 500 per
 * process). Per N: time until the controller's view holds all N alive with inventory, fleet `status` (target all) and
 * `hosts` latency, the controller's CPU and RSS while only heartbeats flow, and how long it takes to mark a killed agent
 * suspect and lost. Baseline, same run and same simulated agents: bare NATS request/reply to one agent and a scatter of
 * N requests to all N (Promise.all), i.e. the fleet command without the controller in between.
 * Usage: node --import tsx bench/fleet.ts [N ...] [--requests=100] [--window=10]   (default N: 10 100 1000)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AgentView, ApiReply, FleetDelta, FleetSnapshot } from '../protocol/fleet/messages.ts';
import { subjects } from '../protocol/fleet/subjects.ts';
import { fleetClient } from '../test/support/fleet.ts';
import { NATS_SERVER_BIN, startNats, type TestNats } from '../test/support/nats.ts';
import { startTsProgram, type Ringd } from '../test/support/ringd.ts';
import { tmpDir } from '../test/support/tmp.ts';
import { waitFor } from '../test/support/wait.ts';
import { simId, type SimOptions } from './fleet-sim.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, window: { type: 'string' } } });
const SIZES = positionals.length ? positionals.map(Number) : [10, 100, 1000];
const REQUESTS = Number(values.requests ?? 100);
const WINDOW_S = Number(values.window ?? 10);
const INTERVAL_MS = 1000;
const SUSPECT_AFTER = 3;
const LOST_AFTER_MS = 5000;
const PER_PROCESS = 500;
const PER_CONNECTION = 250;
const SIM_MAIN = fileURLToPath(new URL('./fleet-sim.ts', import.meta.url));
const RINGMASTER_MAIN = fileURLToPath(new URL('../controller/main.ts', import.meta.url));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

if (SIZES.some((n) => !Number.isInteger(n) || n < 1) || !(REQUESTS >= 1) || !(WINDOW_S > 0)) {
  process.stderr.write('usage: node --import tsx bench/fleet.ts [N ...] [--requests=100] [--window=10]\n');
  process.exit(2);
}

const sims = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of sims) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const say = (msg: string): void => void process.stderr.write(`[fleet bench] ${msg}\n`);

interface SimEvent { event: string; id?: string; at?: number; last_hb?: number | null; reason?: string }
interface Sim { first: number; count: number; child: ChildProcess; events: SimEvent[]; send(line: string): void; close(): Promise<void> }

/** Starts one simulator process for agents first … first+count-1 and waits until all of them beat and serve. */
async function startSim(o: SimOptions): Promise<Sim> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SIM_MAIN, JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'pipe'] });
  sims.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (sims.delete(child), resolve())));
  const events: SimEvent[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => events.push(JSON.parse(l) as SimEvent));
  const close = async (): Promise<void> => {
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await waitFor(() => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`fleet-sim exited: ${err}`);
    return events.some((e) => e.event === 'ready');
  }, { what: `fleet-sim ${o.first}+${o.count} to be ready`, timeoutMs: 60_000, intervalMs: 20 }).catch(async (e: Error) => {
    await close();
    throw new Error(`${e.message}\n${err}`);
  });
  return { first: o.first, count: o.count, child, events, send: (line) => void child.stdin!.write(`${line}\n`), close };
}

function startController(dir: string, url: string, n: number): Ringd {
  const file = join(dir, `rm-${n}.toml`);
  writeFileSync(file, `[controller]\nid = "bench-rm-${n}"\nsuspect_after = ${SUSPECT_AFTER}\nlost_after = "${LOST_AFTER_MS / 1000}s"\n` +
    `audit_file = "${join(dir, `audit-${n}.jsonl`)}"\n\n[nats]\nservers = ["${url}"]\n\n[discovery]\nenabled = false\n`);
  return startTsProgram(RINGMASTER_MAIN, ['--config', file], { name: 'ringmaster' });
}

/** utime + stime of pid, in seconds. */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** VmRSS and VmHWM of pid, in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Nearest-rank percentile of samples (ms). */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const lat = (xs: number[], max = false): string => [pct(xs, 0.5), pct(xs, 0.99), ...(max ? [Math.max(...xs)] : [])].map(ms).join(' / ');

async function timed(fn: () => Promise<boolean>, bad: { count: number }): Promise<number> {
  const t0 = performance.now();
  if (!(await fn())) bad.count++;
  return performance.now() - t0;
}

interface Row { n: number; cells: string[]; notes: string[] }

async function runOne(nc: NatsConnection, nats: TestNats, dir: string, n: number): Promise<Row> {
  const url = nats.url;
  const natsPid = nats.pid;
  const notes: string[] = [];
  const views = new Map<string, AgentView>();
  const watchers: Array<(v: AgentView) => void> = [];
  let complete = 0;
  let deltas = 0;
  const ready = (v: AgentView | undefined) => v?.state === 'alive' && v.inventory !== null;
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
  const parts: Sim[] = [];
  let rm: Ringd | undefined;
  try {
    say(`N=${n}: starting ${Math.ceil(n / PER_PROCESS)} simulator process(es)`);
    const starting = [];
    for (let first = 0; first < n; first += PER_PROCESS) {
      starting.push(startSim({ url, first, count: Math.min(PER_PROCESS, n - first), perConnection: PER_CONNECTION, intervalMs: INTERVAL_MS }));
    }
    const started = await Promise.allSettled(starting);
    for (const s of started) if (s.status === 'fulfilled') parts.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    say(`N=${n}: starting ringmaster`);
    rm = startController(dir, url, n);
    const pid = rm.child.pid!;
    const connectedAt = Date.parse((await rm.waitForOutput(/\S+(?= info +NATS: connected)/, 60_000)).trim());
    const doneAt = await waitFor(() => complete === n && Date.now(), { what: `all ${n} agents alive with inventory`, timeoutMs: 120_000, intervalMs: 5 });
    const viewS = (doneAt - connectedAt) / 1000;

    let snapshot: string;
    try {
      const m = await nc.request(subjects.fleetSnapshot, '', { timeout: 5000 });
      const agents = m.json<FleetSnapshot>().agents.length;
      snapshot = `${(m.data.length / 1024).toFixed(0)} KB`;
      if (agents !== n) notes.push(`snapshot lists ${agents} agents, expected ${n}`);
    } catch (err) {
      snapshot = 'FAILED';
      const logged = /handling ring\.fleet\.snapshot: ([^\n]*)/.exec(rm.output())?.[1];
      notes.push(`ring.fleet.snapshot: ${(err as Error).message}${logged ? `; ringmaster logged: ${logged.slice(0, 160)}` : ''}`);
    }

    say(`N=${n}: view complete in ${viewS.toFixed(2)} s; ${WINDOW_S} s steady window`);
    await sleep(1000);
    const [rm0, nats0, deltas0, t0] = [cpuSeconds(pid), natsPid ? cpuSeconds(natsPid) : 0, deltas, performance.now()];
    await sleep(WINDOW_S * 1000);
    const wall = (performance.now() - t0) / 1000;
    const rmCpu = ((cpuSeconds(pid) - rm0) / wall) * 100;
    const natsCpu = natsPid ? `${(((cpuSeconds(natsPid) - nats0) / wall) * 100).toFixed(1)}` : '?';
    const mem = memory(pid);
    if (deltas !== deltas0) notes.push(`${deltas - deltas0} fleet deltas published during the steady window (expected none)`);

    say(`N=${n}: ${REQUESTS} × (raw 1, raw scatter, status all, hosts)`);
    const ids = Array.from({ length: n }, (_, i) => simId(i));
    const body = (i: number) => JSON.stringify({ id: `bench-${i}`, command: 'status', properties: {} });
    const okRaw = async (id: string, i: number) => (await nc.request(subjects.ctl(id, 'status'), body(i), { timeout: 10_000 })).json<{ status: string }>().status === 'ok';
    const call = async (command: string, req: Record<string, unknown>) => (await nc.request(subjects.api(command), JSON.stringify(req), { timeout: 30_000 })).json<ApiReply>();
    const tests = {
      raw1: () => okRaw(ids[0], 0),
      scatter: async () => (await Promise.all(ids.map((id, i) => okRaw(id, i)))).every(Boolean),
      status: async () => {
        const r = await call('status', { target: { all: true } });
        return r.status === 'ok' && r.results.length === n;
      },
      hosts: async () => (await call('hosts', {})).hosts?.length === n,
    };
    const samples = { raw1: [] as number[], scatter: [] as number[], status: [] as number[], hosts: [] as number[] };
    const bad = { count: 0 };
    for (let i = 0; i < 5; i++) for (const k of Object.keys(tests) as (keyof typeof tests)[]) await tests[k]();
    for (let i = 0; i < REQUESTS; i++) {
      for (const k of Object.keys(tests) as (keyof typeof tests)[]) samples[k].push(await timed(tests[k], bad));
    }
    if (bad.count) notes.push(`${bad.count} requests got an incomplete or non-ok reply`);

    const victim = ids[Math.floor(n / 2)];
    say(`N=${n}: killing ${victim}`);
    const seen: Partial<Record<'suspect' | 'lost', number>> = {};
    watchers.push((v) => {
      if (v.id === victim && (v.state === 'suspect' || v.state === 'lost')) seen[v.state] ??= Date.now();
    });
    const part = parts.find((p) => Math.floor(n / 2) - p.first < p.count)!;
    part.send(`kill ${victim}`);
    const killed = await waitFor(() => part.events.find((e) => e.event === 'killed'), { what: `${victim} killed`, timeoutMs: 5000, intervalMs: 5 });
    await waitFor(() => seen.lost, { what: `${victim} lost`, timeoutMs: LOST_AFTER_MS + 15_000, intervalMs: 20 });
    const lastHb = killed.last_hb ?? killed.at!;
    const since = (t: number | undefined, from: number) => (t === undefined ? 'never' : ((t - from) / 1000).toFixed(2));
    const suspect = seen.suspect === undefined ? 'skipped' : `${since(seen.suspect, lastHb)} (${since(seen.suspect, killed.at!)})`;
    const lost = `${since(seen.lost, lastHb)} (${since(seen.lost, killed.at!)})`;

    const errors = rm.output().split('\n').filter((l) => /^\S+ error /.test(l));
    if (errors.length) notes.push(`ringmaster logged ${errors.length} error line(s), first: ${errors[0].slice(0, 200)}`);
    return {
      n, notes,
      cells: [String(n), viewS.toFixed(2), snapshot, lat(samples.status, true), lat(samples.scatter), lat(samples.hosts), lat(samples.raw1),
        rmCpu.toFixed(1), natsCpu, `${mem.rss.toFixed(0)} (${mem.peak.toFixed(0)})`, suspect, lost],
    };
  } finally {
    deltaSub.unsubscribe();
    await rm?.stop('SIGTERM', 5000);
    await Promise.allSettled(parts.map((p) => p.close()));
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const loadBefore = os.loadavg()[0].toFixed(2);
const natsVersion = spawnSync(NATS_SERVER_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim();
const nats = await startNats({ name: 'fleet-bench' });
const dir = tmpDir('ring-bench-fleet');
const rows: Row[] = [];
let nc: NatsConnection | undefined;
try {
  nc = await fleetClient([nats.url]);
  for (const n of SIZES) rows.push(await runOne(nc, nats, dir, n));
} finally {
  await nc?.close();
  await nats.stop();
}

const cfg = `heartbeat ${INTERVAL_MS / 1000} s, suspect_after ${SUSPECT_AFTER} (= ${(SUSPECT_AFTER * INTERVAL_MS) / 1000} s), lost_after ${LOST_AFTER_MS / 1000} s`;
console.log(`nproc ${os.availableParallelism()}, node ${process.version}, ${natsVersion}, ${os.cpus()[0]?.model ?? 'cpu ?'}, load avg ${loadBefore} → ${os.loadavg()[0].toFixed(2)}`);
console.log(`${REQUESTS} requests per figure, ${WINDOW_S} s CPU window; ${cfg}`);
console.log(table([
  ['N', 'view s', 'snapshot', 'status all ms p50/p99/max', 'BASE scatter N ms p50/p99', 'hosts ms p50/p99', 'BASE 1 req ms p50/p99',
    'rm CPU %', 'nats CPU %', 'rm RSS MB (peak)', `suspect s (cfg ${(SUSPECT_AFTER * INTERVAL_MS) / 1000})`, `lost s (cfg ${LOST_AFTER_MS / 1000})`],
  ...rows.map((r) => r.cells),
]));
console.log(`
view s      ringmaster "NATS: connected" → its deltas show all N agents alive with inventory (floor: one heartbeat interval)
snapshot    size of the ring.fleet.snapshot reply once the view is complete (FAILED: no reply, see notes)
status all  ring.api.status {"target":{"all":true}} through the controller, sequential, every host ok
BASE        the same simulated agents asked directly over bare NATS: scatter = N ctl.status requests at once (Promise.all), 1 req = one agent
hosts       ring.api.hosts (all agents), answered by the controller alone
rm CPU %    ringmaster utime+stime over the steady window (heartbeats only, no requests), % of one core; nats CPU % the same for nats-server
rm RSS      VmRSS after the steady window (VmHWM, the peak so far)
suspect/lost  last heartbeat sent → the controller's ring.fleet.delta.<id> with that state, s (in brackets: from the simulated kill -9)`);
for (const r of rows) for (const note of r.notes) console.log(`note N=${r.n}: ${note}`);
