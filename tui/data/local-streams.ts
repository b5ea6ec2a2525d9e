/**
 * One agent's ZeroMQ PUB streams in the fleet's shapes: Circus events (`watcher.<name>.<event>`,
 * time in seconds) as agent events, and a stats cycle (`stat.<watcher>.<pid>` … `stat.sockets`)
 * as one FleetStats message. Circus lower-cases watcher names in topics; `names` maps them back.
 */
import { FLEET_VERSION } from '../../protocol/fleet/messages.ts';
import type { FleetStats, ProcessStats, SocketStatsView } from '../../protocol/fleet/payloads.ts';
import type { AgentEvent } from './events.ts';

const UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** psutil's "17.81M" back to bytes (null when unreadable). */
export function humanBytes(text: unknown): number | null {
  const m = typeof text === 'string' ? /^([\d.]+)([BKMGTP])$/.exec(text) : null;
  return m ? Math.round(Number(m[1]) * UNITS[m[2]]) : null;
}

/** A Circus wire event as the fleet's agent event (pid, hook and reason under the fleet's names, time in ms). */
export function wireEvent(topic: string, payload: Record<string, unknown>, names: (lower: string) => string): AgentEvent | undefined {
  const m = /^watcher\.(.+)\.([a-z_]+)$/.exec(topic);
  if (!m) return undefined;
  const event = m[2] === 'status' ? 'watcher_state' : m[2];
  const time = typeof payload.time === 'number' ? payload.time * 1000 : Date.now();
  const delay = event === 'backoff' && typeof payload.delay === 'number' ? payload.delay * 1000 : undefined;
  return {
    ...payload, event, watcher: names(m[1]), time, pid: payload.process_pid, delay,
    ...(event.startsWith('hook_') ? { hook: payload.name, reason: payload.error } : {}),
  };
}

/** Collects one stats cycle; `add` returns the FleetStats once the cycle's last message (`stat.sockets`) arrived. */
export class StatsCycle {
  private processes = new Map<string, ProcessStats[]>();
  private sockets: SocketStatsView[] = [];

  constructor(private readonly agent: () => { id: string; boot: string }, private readonly names: (lower: string) => string) {}

  add(topic: string, p: Record<string, unknown>): FleetStats | undefined {
    if (topic === 'stat.sockets') return this.finish();
    const sock = /^stat\.sockets\.\d+$/.test(topic);
    if (sock) {
      this.sockets.push({ name: String(p.name), address: String(p.address), queued: Number(p.queued), connections: Number(p.connections), backlog: Number(p.backlog) });
      return undefined;
    }
    const m = /^stat\.(.+)\.(\d+)$/.exec(topic);
    if (!m || m[1] === 'circus' || typeof p.cpu !== 'number') return undefined;
    const name = this.names(m[1]);
    const list = this.processes.get(name) ?? [];
    list.push({ pid: Number(m[2]), wid: Number(p.wid), cpu: p.cpu, mem: Number(p.mem), rss: humanBytes(p.mem_info1), fds: null, age: Number(p.age) });
    this.processes.set(name, list);
    return undefined;
  }

  private finish(): FleetStats {
    const { id, boot } = this.agent();
    const watchers = [...this.processes].map(([name, processes]) => {
      const sum = (k: 'cpu' | 'mem' | 'rss') => processes.reduce((n, x) => n + (x[k] ?? 0), 0);
      return { name, processes, cpu: Math.round(sum('cpu') * 10) / 10, mem: sum('mem'), rss: sum('rss') };
    });
    const out: FleetStats = {
      v: FLEET_VERSION, agent: id, boot, ts: Date.now(), interval_ms: 0, watchers, sockets: this.sockets,
      self: { pid: 0, cpu: 0, mem: 0, rss: null, fds: null, age: 0 },
    };
    this.processes = new Map();
    this.sockets = [];
    return out;
  }
}
