/**
 * The host figures of one peer in one round, all judged from /proc (a workload process counts once
 * it has exec'd, as a descendant of the peer): cold start and its CPU, steady CPU and RSS, status
 * round trips (CLI and API), crash respawn, restart-all and stop-all.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../test/support/wait.ts';
import { percentile } from '../timing.ts';
import { ageMs, CpuTracker, rssMb, scanTree } from '../lib/proctree.ts';
import type { ApiClient, Command, LaunchSpec, Peer, RunningPeer } from './peer.ts';
import { killAll, tracked } from './shared.ts';

/** Poll periods of the ground truth: fine for latencies, coarser where a figure is seconds long. */
export const FAST_POLL_MS = 2;
export const POLL_MS = 5;
/** A kill victim must have run this long: past every peer's "died too young" rule (ringd backoff_reset_after 10 s,
 * supervisord startsecs 1 s, PM2 min_uptime 1 s), so each kill measures a plain respawn, not a backoff. */
export const VICTIM_MIN_AGE_MS = 12_000;
/** Random pause before each kill. */
export const KILL_SPACING_MS = { min: 100, max: 600 };
/** Deadlines: a peer that misses one fails the run (a figure would be missing). */
const BASE_TIMEOUT_MS = 60_000;
const PER_PROCESS_TIMEOUT_MS = 200;

export interface FigureOptions {
  settleMs: number;
  steadyMs: number;
  cliRuns: number;
  apiCalls: number;
  kills: number;
}

const deadline = (n: number): number => BASE_TIMEOUT_MS + n * PER_PROCESS_TIMEOUT_MS;
const median = (xs: number[]): number => percentile(xs, 0.5);

/** Polls the tree until done(workload pids) holds; resolves with the time it first held (performance.now()). */
function until(r: RunningPeer, spec: LaunchSpec, what: string, done: (workload: number[]) => boolean,
  opts: { known?: Set<number>; intervalMs?: number; cpu?: CpuTracker } = {}): Promise<number> {
  return waitFor(() => {
    const s = scanTree(r.roots(), spec.workload.match, opts.known);
    opts.cpu?.observe(s.daemon);
    return done(s.workload) && performance.now();
  }, { what, timeoutMs: deadline(spec.n), intervalMs: opts.intervalMs ?? POLL_MS });
}

export interface Cold { running: RunningPeer; ms: number; cpuMs: number }

/** Launch → all N workload processes running; CPU of the peer's own processes (workload excluded) meanwhile. */
export async function coldStart(peer: Peer, spec: LaunchSpec): Promise<Cold> {
  const cpu = new CpuTracker();
  const known = new Set<number>();
  const t0 = performance.now();
  const launched = peer.launch(spec);
  const running: RunningPeer = { ...launched, shutdown: tracked(() => launched.shutdown()) };
  try {
    const t1 = await until(running, spec, `${peer.name}: ${spec.n} × ${spec.workload.name} running`, (w) => w.length >= spec.n,
      { known, cpu });
    await running.ready();
    return { running, ms: t1 - t0, cpuMs: cpu.totalMs() };
  } catch (err) {
    await running.shutdown().catch(() => undefined);
    throw err;
  }
}

/** CPU (% of one core) and RSS (MB) of the peer's own processes over a quiet window. */
export async function steady(r: RunningPeer, spec: LaunchSpec, o: FigureOptions): Promise<{ cpuPct: number; rssMb: number }> {
  await sleep(o.settleMs);
  const cpu = new CpuTracker();
  cpu.observe(scanTree(r.roots(), spec.workload.match).daemon);
  cpu.rebase();
  const t0 = performance.now();
  await sleep(o.steadyMs);
  const daemon = scanTree(r.roots(), spec.workload.match).daemon;
  cpu.observe(daemon);
  const wall = performance.now() - t0;
  return { cpuPct: (cpu.totalMs() / wall) * 100, rssMb: rssMb(daemon) };
}

/** Wall time of the status CLI as a whole process (median of runs, after one warm-up run). */
export function cliStatus(cmd: Command, runs: number): number {
  const once = (): number => {
    const t0 = performance.now();
    const r = spawnSync(cmd.file, cmd.args, { env: cmd.env ?? process.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd.file} ${cmd.args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.error?.message || '').slice(0, 300)}`);
    return ms;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

/** Status round trip over the peer's API on one persistent connection (median, after a warm-up). */
export async function apiStatus(api: ApiClient, calls: number): Promise<number> {
  await api.statusLoop(Math.max(1, Math.ceil(calls / 10)));
  return median(await api.statusLoop(calls));
}

const randomBetween = (r: { min: number; max: number }): number => r.min + Math.random() * (r.max - r.min);

/** kill -9 of a random workload process → a new one running; one sample per kill (ms). */
export async function crashRespawn(r: RunningPeer, spec: LaunchSpec, kills: number): Promise<number[]> {
  const known = new Set<number>();
  const out: number[] = [];
  for (let i = 0; i < kills; i++) {
    await sleep(randomBetween(KILL_SPACING_MS));
    const before = scanTree(r.roots(), spec.workload.match, known).workload;
    if (before.length === 0) throw new Error('no workload process left to kill');
    const aged = before.filter((p) => ageMs(p) >= VICTIM_MIN_AGE_MS);
    const victim = aged.length ? aged[Math.floor(Math.random() * aged.length)] : before.reduce((a, b) => (ageMs(a) >= ageMs(b) ? a : b));
    const old = new Set(before);
    const t0 = performance.now();
    killAll([victim]);
    const t1 = await until(r, spec, `a replacement for killed pid ${victim}`, (w) => w.some((p) => !old.has(p)), { known, intervalMs: FAST_POLL_MS });
    out.push(t1 - t0);
    await until(r, spec, `${spec.n} processes after the respawn`, (w) => w.length >= spec.n, { known });
  }
  return out;
}

/** Command → every workload process replaced (N running, none of the old ones). */
export async function restartAll(r: RunningPeer, spec: LaunchSpec, api: ApiClient): Promise<number> {
  const old = new Set(scanTree(r.roots(), spec.workload.match).workload);
  const t0 = performance.now();
  const cmd = api.restartAll();
  const t1 = await until(r, spec, 'every process replaced', (w) => w.filter((p) => !old.has(p)).length >= spec.n);
  await cmd;
  return t1 - t0;
}

/** Command → no workload process running. */
export async function stopAll(r: RunningPeer, spec: LaunchSpec, api: ApiClient): Promise<number> {
  const t0 = performance.now();
  const cmd = api.stopAll();
  const t1 = await until(r, spec, 'no process running', (w) => w.length === 0);
  await cmd;
  return t1 - t0;
}
