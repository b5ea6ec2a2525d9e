/** Public surface of the process-statistics module (Circus `stats`, `dstats` and the stats stream). */
export {
  MAX_CHILD_DEPTH, ProcSampler, bytes2human, commandName, formatCpuTime, type ProcSamplerOptions, type ProcessInfo,
} from './process-info.ts';
export {
  aggregate, sampleWatcherProcess, statsMessages, watcherStatsInfo,
  type SocketStat, type StatsAggregate, type StatsGroup, type StatsMessage, type WatcherProcessInfo,
} from './stream.ts';
export { countFds, readRssBytes } from './procfs.ts';
