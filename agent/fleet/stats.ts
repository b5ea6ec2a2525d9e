/** The ring.agent.<id>.stats message: per-process cpu, memory and fds of every watcher, and socket load, from /proc. */
import { FLEET_VERSION } from '../../protocol/fleet/messages.ts';
import { countFds, ProcSampler, readRssBytes } from '../stats/index.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import type { FleetStats, ProcessStats, WatcherStats } from '../../protocol/fleet/payloads.ts';

const round1 = (n: number): number => Math.round(n * 10) / 10;

export class FleetStatsSampler {
  private readonly sampler = new ProcSampler();

  constructor(private readonly arbiter: Arbiter) {}

  /** One stats message; `interval_ms` is the period it is published with. */
  sample(agent: string, intervalMs: number): FleetStats {
    const watchers: WatcherStats[] = [];
    const live = new Set<number>([process.pid]);
    for (const name of this.arbiter.names()) {
      const processes: ProcessStats[] = [];
      for (const slot of this.arbiter.get(name).processes()) {
        if (slot.pid === null) continue;
        const p = this.process(slot.pid);
        if (p) processes.push({ ...p, wid: slot.wid });
        live.add(slot.pid);
      }
      const sum = (k: 'cpu' | 'mem' | 'rss') => processes.reduce((n, p) => n + (p[k] ?? 0), 0);
      watchers.push({ name, processes, cpu: round1(sum('cpu')), mem: Math.round(sum('mem') * 1000) / 1000, rss: sum('rss') });
    }
    const sockets = this.arbiter.sockets.stats().map((s) => ({
      name: s.name, address: s.address, queued: s.queued, connections: s.connections, backlog: s.backlog,
    }));
    const self = this.process(process.pid) ?? { pid: process.pid, cpu: 0, mem: 0, rss: null, fds: null, age: 0 };
    this.sampler.prune(live);
    return { v: FLEET_VERSION, agent, boot: this.arbiter.bootId, ts: Date.now(), interval_ms: intervalMs, watchers, sockets, self };
  }

  close(): void {
    this.sampler.close();
  }

  private process(pid: number): Omit<ProcessStats, 'wid'> | undefined {
    const info = this.sampler.sample(pid, { children: false });
    if (!info) return undefined;
    return { pid, cpu: info.cpu, mem: info.mem, rss: readRssBytes(pid) ?? null, fds: countFds(pid) ?? null, age: Math.round(info.age * 10) / 10 };
  }
}
