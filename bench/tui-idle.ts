/**
 * Idle CPU of `ringctl tui` on a busy fleet: a real nats-server and ringmaster, HOSTS simulated agents
 * of PROCS processes each (heartbeats every second, inventories served to the controller, stats of
 * every process every 5 s as ringd's default stats_interval, then every second), and the TUI in a
 * real terminal (tmux, live rendering) left alone. Its CPU comes from /proc over --window seconds,
 * next to an idle `node` (the baseline) and the same TUI with the agents sending heartbeats only.
 * Usage: node --import tsx bench/tui-idle.ts [--hosts 25] [--procs 80] [--window 30] [--profile DIR]
 * (--profile: the TUI writes a V8 CPU profile to DIR when it quits.)
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { NatsConnection } from '@nats-io/transport-node';
import { VERSION } from '../agent/version.ts';
import { FLEET_VERSION, type Heartbeat, type Inventory } from '../protocol/fleet/messages.ts';
import type { FleetStats } from '../protocol/fleet/payloads.ts';
import { subjects } from '../protocol/fleet/subjects.ts';
import { fleetClient, fleetDir, startRingmaster } from '../test/support/fleet.ts';
import { startNats } from '../test/support/nats.ts';
import { waitFor } from '../test/support/wait.ts';
import { cpuMs, rssMb } from './lib/proctree.ts';
import { markdownTable } from './lib/table.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '25' }, procs: { type: 'string', default: '80' }, window: { type: 'string', default: '30' }, profile: { type: 'string' } } });
const HOSTS = Number(values.hosts);
const PROCS = Number(values.procs);
const WINDOW_S = Number(values.window);
const WATCHERS = 4;
const HEARTBEAT_MS = 1000;
const SETTLE_MS = 5000;
const RINGCTL = fileURLToPath(new URL('../bin/ringctl.js', import.meta.url));
const TMUX = `tui-bench-${process.pid}`;
const tmux = (...args: string[]) => promisify(execFile)('tmux', ['-L', TMUX, ...args]).then((r) => r.stdout);
const log = (m: string) => void process.stderr.write(`[tui-idle] ${m}\n`);

/** ringd's default [nats] stats_interval, and a fleet five times as talkative. */
const STATS_DEFAULT_S = 5;
const STATS_FAST_S = 1;

interface Sim {
  /** Stats of every process every `seconds` (null: none). */
  stream(seconds: number | null): void;
  stop(): void;
}

/** HOSTS agents on one connection: heartbeats always, stats once stream() is called. */
function simulate(nc: NatsConnection): Sim {
  const started = Date.now();
  const agents = Array.from({ length: HOSTS }, (_, i) => {
    const id = `host-${String(i + 1).padStart(2, '0')}`;
    const watchers = Array.from({ length: WATCHERS }, (_, w) => ({
      name: `svc-${w + 1}`, state: 'active' as const, numprocesses: PROCS / WATCHERS,
      processes: Array.from({ length: PROCS / WATCHERS }, (_, k) => ({ wid: k + 1, pid: 10_000 + i * 1000 + w * 100 + k, state: 'running' as const, started_at: started, failures: 0, last_exit: null })),
    }));
    return { id, boot: randomBytes(6).toString('hex'), seq: 0, labels: { role: i % 2 ? 'worker' : 'web' }, watchers };
  });
  const subs = agents.map((a) => nc.subscribe(subjects.ctlAll(a.id), {
    callback: (_e, m) => {
      const inventory: Inventory = { id: a.id, boot: a.boot, rev: 1, labels: a.labels, watchers: a.watchers, sockets: [] };
      m.respond(JSON.stringify({ status: 'ok', inventory, time: Date.now() / 1000, id: (m.json<{ id?: string }>()).id ?? null }));
    },
  }));
  const beat = () => {
    for (const a of agents) {
      const hb: Heartbeat = {
        v: FLEET_VERSION, id: a.id, boot: a.boot, seq: ++a.seq, ts: Date.now(), host: a.id, version: VERSION, interval_ms: HEARTBEAT_MS,
        uptime_s: (Date.now() - started) / 1000, labels: a.labels, watchers: WATCHERS, processes: PROCS, states: { running: PROCS }, rev: 1,
        load: os.loadavg() as [number, number, number], mem: { total: os.totalmem(), free: os.freemem() }, dropped_events: 0,
      };
      nc.publish(subjects.heartbeat(a.id), JSON.stringify(hb));
    }
  };
  let everyS = 0;
  const stats = () => {
    for (const a of agents) {
      const ws = a.watchers.map((w) => {
        const processes = w.processes.map((p) => ({ pid: p.pid, wid: p.wid, cpu: Math.round(Math.random() * 300) / 10, mem: 0.4, rss: 50e6 + Math.round(Math.random() * 1e7), fds: 12, age: (Date.now() - started) / 1000 }));
        return { name: w.name, processes, cpu: processes.reduce((n, p) => n + p.cpu, 0), mem: 0.4 * processes.length, rss: processes.reduce((n, p) => n + p.rss, 0) };
      });
      const s: FleetStats = { v: FLEET_VERSION, agent: a.id, boot: a.boot, ts: Date.now(), interval_ms: everyS * 1000, watchers: ws, sockets: [], self: { pid: 1, cpu: 0.5, mem: 0.1, rss: 60e6, fds: 30, age: 10 } };
      nc.publish(subjects.stats(a.id), JSON.stringify(s));
    }
  };
  beat();
  const beating = setInterval(beat, HEARTBEAT_MS);
  let streaming: NodeJS.Timeout | undefined;
  return {
    stream(seconds) {
      clearInterval(streaming);
      everyS = seconds ?? 0;
      if (seconds !== null) streaming = setInterval(stats, seconds * 1000);
    },
    stop() {
      clearInterval(beating);
      clearInterval(streaming);
      for (const s of subs) s.unsubscribe();
    },
  };
}

/** CPU (% of one core) and RSS of `pid` over the window, after SETTLE_MS. */
async function measure(pid: number): Promise<{ cpu: number; rss: number }> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const t0 = Date.now();
  const c0 = cpuMs([pid]);
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  return { cpu: ((cpuMs([pid]) - c0) / (Date.now() - t0)) * 100, rss: rssMb([pid]) };
}

const nats = await startNats();
const dir = fleetDir('bench-tui');
const ctl = startRingmaster(dir, [nats.url], { id: 'ctl-bench' });
const nc = await fleetClient([nats.url]);
const sim = simulate(nc);
const rows: string[][] = [];
const row = (what: string, m: { cpu: number; rss: number }) => rows.push([what, m.cpu.toFixed(2), m.rss.toFixed(0)]);
try {
  log(`baseline: an idle node for ${WINDOW_S}s`);
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  row('baseline: idle `node -e setInterval`', await measure(idle.pid!));
  idle.kill();

  const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const command = ['exec', 'env', 'CI=0', 'CONTINUOUS_INTEGRATION=0', `HOME=${dir}`, process.execPath, ...profile, RINGCTL, '--nats', nats.url, 'tui'].join(' ');
  await tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', command);
  const pid = Number((await tmux('display', '-p', '-t', 'tui', '#{pane_pid}')).trim());
  await waitFor(async () => new RegExp(`${HOSTS} hosts`).test(await tmux('capture-pane', '-p', '-t', 'tui')), { what: `the TUI to show ${HOSTS} hosts`, timeoutMs: 120_000, intervalMs: 200 });
  log(`TUI pid ${pid}: heartbeats only, ${WINDOW_S}s`);
  row(`ringctl tui, hosts view: ${HOSTS} agents heartbeating, no stats`, await measure(pid));
  for (const every of [STATS_DEFAULT_S, STATS_FAST_S]) {
    sim.stream(every);
    log(`TUI: ${HOSTS} × ${PROCS} processes streaming stats every ${every}s, ${WINDOW_S}s`);
    row(`ringctl tui, hosts view: ${HOSTS} × ${PROCS} processes, stats every ${every}s`, await measure(pid));
  }
  await tmux('send-keys', '-t', 'tui', 'Tab');
  row(`ringctl tui, watchers across hosts (sparklines), stats every ${STATS_FAST_S}s`, await measure(pid));
  for (const k of ['Tab', 'Enter', 'Enter']) await tmux('send-keys', '-t', 'tui', k);
  row(`ringctl tui, the ${PROCS / WATCHERS} processes of a watcher, stats every ${STATS_FAST_S}s`, await measure(pid));
  await tmux('send-keys', '-t', 'tui', 'q');
  await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, { what: 'the TUI to quit', timeoutMs: 30_000, intervalMs: 100 });
} finally {
  await tmux('kill-server').catch(() => undefined);
  sim.stop();
  await nc.close();
  await ctl.stop();
  await nats.stop();
}
console.log(`\nringctl tui idle CPU on a 2-core machine (${os.cpus().length} cores here), ${WINDOW_S}s windows after ${SETTLE_MS / 1000}s to settle\n`);
console.log(markdownTable(['what runs', 'CPU % of one core', 'RSS MB'], rows));
process.exit(0);
