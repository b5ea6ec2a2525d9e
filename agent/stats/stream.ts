/** Circus stats stream messages (`stat.*` topics) and the `stats NAME` reply map, built from ProcSampler samples. */

import type { ProcSampler, ProcessInfo } from './process-info.ts';

/** One watcher and its live processes, as the arbiter knows them. */
export interface StatsGroup {
  name: string;
  processes: { pid: number; wid: number; /** Epoch ms. */ started: number }[];
}

/** A listening socket of the stats stream; `reads` = readable events seen during the last cycle. */
export interface SocketStat {
  fd: number;
  name: string;
  address: string;
  /** Circus's count of readable polls; always 0 here (we read the queue from /proc instead of polling). */
  reads: number;
  /** Connections waiting in the accept queue. */
  queued: number;
  /** Established connections on the socket's address. */
  connections: number;
  backlog: number;
}

/** One PUB message: frame 1 = topic, frame 2 = JSON payload. */
export interface StatsMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** Aggregate payload of `stat.<watcher>` / `stat.circus`. */
export interface StatsAggregate {
  pid: number[];
  /** Mean cpu of the processes (0 when none). */
  cpu: number;
  /** Sum of mem. */
  mem: number;
  /** Oldest age (0 when none). */
  age: number;
}

/** A watcher process as reported by `stats`: the process info plus `started` (epoch seconds) and `wid`. */
export type WatcherProcessInfo = ProcessInfo & { started: number; wid: number };

/** Sample one watcher process; undefined when it vanished (never Circus's "No such process (stopped?)" string). */
export function sampleWatcherProcess(
  proc: StatsGroup['processes'][number], sampler: ProcSampler, opts: { children?: boolean } = {},
): WatcherProcessInfo | undefined {
  const info = sampler.sample(proc.pid, opts);
  return info && { ...info, started: proc.started / 1000, wid: proc.wid };
}

/** Mean cpu, summed mem and max age, summed left to right like Circus (same floating-point results). */
export function aggregate(infos: ProcessInfo[]): StatsAggregate {
  let cpu = 0;
  let mem = 0;
  let age = 0;
  for (const i of infos) {
    cpu += i.cpu;
    mem += i.mem;
    age = Math.max(age, i.age);
  }
  return { pid: infos.map((i) => i.pid), cpu: infos.length > 0 ? cpu / infos.length : 0, mem, age };
}

/**
 * The `info` map of the `stats NAME` reply: {"<pid>": info}. Children are always listed (Circus does the same);
 * `extended` is accepted for compatibility with `circusctl stats --extended` and changes nothing.
 */
export function watcherStatsInfo(
  group: StatsGroup, sampler: ProcSampler, _opts: { extended?: boolean } = {},
): Record<string, WatcherProcessInfo> {
  const out: Record<string, WatcherProcessInfo> = {};
  for (const proc of group.processes) {
    const info = sampleWatcherProcess(proc, sampler);
    if (info) out[String(proc.pid)] = info;
  }
  return out;
}

/** `stat.<key>.<pid>` messages followed by the `stat.<key>` aggregate. */
function groupMessages(key: string, samples: [ProcessInfo, Record<string, unknown>][]): StatsMessage[] {
  const out: StatsMessage[] = samples.map(([info, extra]) => ({
    topic: `stat.${key}.${info.pid}`,
    payload: { ...info, subtopic: info.pid, ...extra },
  }));
  out.push({ topic: `stat.${key}`, payload: { ...aggregate(samples.map(([info]) => info)) } });
  return out;
}

/**
 * All messages of one stats cycle, in order: per watcher `stat.<watcher>.<pid>` (process info with children,
 * `started`, `wid`, `subtopic`, `name: null`) then `stat.<watcher>`; `stat.circus.<pid>` for ringd's own processes
 * (`name` set, no children: they would be every watcher process again) then `stat.circus`; `stat.sockets.<fd>` then
 * `stat.sockets`. Watcher names are lower-cased; vanished processes are skipped.
 */
export function statsMessages(
  groups: StatsGroup[], self: { pid: number; name: string }[], sampler: ProcSampler, sockets: SocketStat[] = [],
): StatsMessage[] {
  const out: StatsMessage[] = [];
  for (const group of groups) {
    const samples: [ProcessInfo, Record<string, unknown>][] = [];
    for (const proc of group.processes) {
      const info = sampleWatcherProcess(proc, sampler);
      if (info) samples.push([info, { name: null }]);
    }
    out.push(...groupMessages(group.name.toLowerCase(), samples));
  }
  const own: [ProcessInfo, Record<string, unknown>][] = [];
  for (const { pid, name } of self) {
    const info = sampler.sample(pid, { children: false });
    if (info) own.push([info, { name }]);
  }
  out.push(...groupMessages('circus', own));
  let reads = 0;
  for (const s of sockets) {
    out.push({
      topic: `stat.sockets.${s.fd}`,
      payload: { fd: s.fd, subtopic: s.fd, reads: s.reads, address: s.address, name: s.name, queued: s.queued, connections: s.connections, backlog: s.backlog },
    });
    reads += s.reads;
  }
  const sum = (k: 'queued' | 'connections') => sockets.reduce((n, s) => n + s[k], 0);
  out.push({ topic: 'stat.sockets', payload: { addresses: sockets.map((s) => s.address), reads, queued: sum('queued'), connections: sum('connections') } });
  return out;
}
