/**
 * Simulated ringd agents for bench/fleet.ts: each id publishes a valid Heartbeat every interval and
 * serves ring.agent.<id>.ctl.* (`inventory`, `status`) and publishes its stats message every
 * statsIntervalMs over the real NATS protocol, many agents per connection. Driven by its parent:
 * argv[2] is a JSON SimOptions; stdin lines `kill <id>` stop one agent at once (no more heartbeats,
 * no responder, as after kill -9), `add <id>` starts a new one (its first heartbeat at once); stdout
 * gets JSON lines ({event: "ready"}, {event: "killed", id, at, last_hb}, {event: "added", id, first_hb}).
 * Exits when stdin closes.
 * Usage (normally spawned by bench/fleet.ts): node --import tsx bench/fleet-sim.ts '{"url":…,"first":0,"count":500,…}'
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { FLEET_VERSION, type Heartbeat, type Inventory } from '../protocol/fleet/messages.ts';
import { subjects } from '../protocol/fleet/subjects.ts';
import { VERSION } from '../agent/version.ts';
import { DEFAULT_FLEET_STATS_INTERVAL_MS } from '../agent/defaults.ts';
import type { FleetStats } from '../protocol/fleet/payloads.ts';

export interface SimOptions {
  url: string;
  /** Agents first … first+count-1 of the fleet, named simId(i). */
  first: number;
  count: number;
  /** Agents per NATS connection. */
  perConnection: number;
  intervalMs: number;
  /** Period of each agent's ring.agent.<id>.stats message (default: ringd's). */
  statsIntervalMs?: number;
}

/** The id of simulated agent number i (subject-safe, sorts in numeric order). */
export const simId = (i: number): string => `sim-${String(i).padStart(5, '0')}`;

/** Every simulated agent has 2 watchers × 3 running processes, at this constant inventory revision. */
export const SIM_REV = 7;
const WATCHERS = ['web', 'worker'] as const;
const PER_WATCHER = 3;

interface Agent {
  id: string;
  boot: string;
  seq: number;
  labels: Record<string, string>;
  startedAt: number;
  lastHb: number | null;
  nc: NatsConnection;
  sub: Subscription | null;
  timer: NodeJS.Timeout | null;
  statsTimer: NodeJS.Timeout | null;
}

const out = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

function heartbeat(a: Agent, intervalMs: number, now: number): Heartbeat {
  const [l1, l5, l15] = os.loadavg();
  return {
    v: FLEET_VERSION, id: a.id, boot: a.boot, seq: ++a.seq, ts: now, host: a.id, version: VERSION, interval_ms: intervalMs,
    uptime_s: Math.round((now - a.startedAt) / 100) / 10, labels: a.labels, watchers: WATCHERS.length,
    processes: WATCHERS.length * PER_WATCHER, states: { running: WATCHERS.length * PER_WATCHER }, rev: SIM_REV,
    load: [l1, l5, l15], mem: { total: os.totalmem(), free: os.freemem() }, dropped_events: 0,
  };
}

function inventory(a: Agent): Inventory {
  return {
    id: a.id, boot: a.boot, rev: SIM_REV, labels: a.labels, sockets: [],
    watchers: WATCHERS.map((name, w) => ({
      name, state: 'active' as const, numprocesses: PER_WATCHER,
      processes: Array.from({ length: PER_WATCHER }, (_, wid) => ({
        wid: wid + 1, pid: 10_000 + w * PER_WATCHER + wid, state: 'running' as const, started_at: a.startedAt, failures: 0, last_exit: null,
      })),
    })),
  };
}

function stats(a: Agent, intervalMs: number): FleetStats {
  const now = Date.now();
  const proc = (pid: number) => ({ pid, cpu: 0.1, mem: 0.2, rss: 30_000_000, fds: 12, age: Math.round((now - a.startedAt) / 100) / 10 });
  return {
    v: FLEET_VERSION, agent: a.id, boot: a.boot, ts: now, interval_ms: intervalMs, sockets: [], self: proc(9_999),
    watchers: WATCHERS.map((name, w) => ({
      name, cpu: 0.3, mem: 0.6, rss: 90_000_000,
      processes: Array.from({ length: PER_WATCHER }, (_, wid) => ({ ...proc(10_000 + w * PER_WATCHER + wid), wid: wid + 1 })),
    })),
  };
}

/** The agent's reply to one ctl request, in Circus's shape (echoing the request id). */
function reply(a: Agent, command: string, body: string): Record<string, unknown> {
  let id: unknown = null;
  try {
    id = (JSON.parse(body || '{}') as { id?: unknown }).id ?? null;
  } catch {
    return { status: 'error', reason: 'the request is not JSON', errno: 3, time: Date.now() / 1000, id: null };
  }
  const time = Date.now() / 1000;
  if (command === 'inventory') return { status: 'ok', inventory: inventory(a), time, id };
  if (command === 'status') return { status: 'ok', statuses: Object.fromEntries(WATCHERS.map((w) => [w, 'active'])), time, id };
  return { status: 'error', reason: `command "${command}" is not simulated`, errno: 3, time, id };
}

function start(a: Agent, intervalMs: number, statsIntervalMs: number, phase = Math.random()): void {
  a.sub = a.nc.subscribe(subjects.ctlAll(a.id), {
    callback: (err, m) => {
      if (err || !m.reply) return;
      m.respond(JSON.stringify(reply(a, m.subject.slice(m.subject.lastIndexOf('.') + 1), m.string())));
    },
  });
  const beat = (): void => {
    const now = Date.now();
    a.nc.publish(subjects.heartbeat(a.id), JSON.stringify(heartbeat(a, intervalMs, now)));
    a.lastHb = now;
  };
  // Agents of a real fleet started at different moments: spread the phases over one interval.
  const first = (): void => {
    beat();
    a.timer = setInterval(beat, intervalMs);
    a.statsTimer = setInterval(() => a.nc.publish(subjects.stats(a.id), JSON.stringify(stats(a, statsIntervalMs))), statsIntervalMs);
  };
  if (phase === 0) first();
  else a.timer = setTimeout(first, phase * intervalMs);
}

function kill(a: Agent): void {
  if (a.timer) clearTimeout(a.timer);
  if (a.statsTimer) clearInterval(a.statsTimer);
  a.timer = null;
  a.statsTimer = null;
  a.sub?.unsubscribe();
  a.sub = null;
  out({ event: 'killed', id: a.id, at: Date.now(), last_hb: a.lastHb });
}

async function main(o: SimOptions): Promise<void> {
  const agents = new Map<string, Agent>();
  const conns: NatsConnection[] = [];
  for (let c = 0; c === 0 || c * o.perConnection < o.count; c++) { // one connection at least, for `add`
    const nc = await connect({ servers: o.url, name: `fleet-sim-${o.first + c * o.perConnection}`, maxReconnectAttempts: -1 });
    conns.push(nc);
    const upTo = Math.min(o.count, (c + 1) * o.perConnection);
    for (let i = c * o.perConnection; i < upTo; i++) {
      const id = simId(o.first + i);
      agents.set(id, {
        id, boot: randomBytes(6).toString('hex'), seq: 0, labels: { role: i % 2 ? 'worker' : 'web', dc: 'sim' },
        startedAt: Date.now(), lastHb: null, nc, sub: null, timer: null, statsTimer: null,
      });
    }
  }
  const statsMs = o.statsIntervalMs ?? DEFAULT_FLEET_STATS_INTERVAL_MS;
  for (const a of agents.values()) start(a, o.intervalMs, statsMs);
  await Promise.all(conns.map((nc) => nc.flush()));
  out({ event: 'ready', agents: agents.size, connections: conns.length });
  const close = async (): Promise<void> => {
    for (const a of agents.values()) {
      if (a.timer) clearTimeout(a.timer);
      if (a.statsTimer) clearInterval(a.statsTimer);
    }
    await Promise.allSettled(conns.map((nc) => nc.close()));
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [verb, id = ''] = line.trim().split(/\s+/);
    const a = agents.get(id);
    if (verb === 'kill' && a) kill(a);
    else if (verb === 'add' && !a && id && conns.length) {
      const added: Agent = {
        id, boot: randomBytes(6).toString('hex'), seq: 0, labels: { role: 'web', dc: 'sim' }, startedAt: Date.now(), lastHb: null,
        nc: conns[0], sub: null, timer: null, statsTimer: null,
      };
      agents.set(id, added);
      start(added, o.intervalMs, statsMs, 0);
      out({ event: 'added', id, first_hb: added.lastHb });
    } else out({ event: 'error', reason: `unknown command: ${line}` });
  });
  lines.on('close', () => void close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(JSON.parse(process.argv[2] ?? '{}') as SimOptions);
