/** Public API of the ringd configuration loader. */
export { loadConfig, checkConfig } from './load.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { parseSignal, signalName, SIGRTMIN, SIGRTMAX } from './signals.ts';
export { substitute, substituteForShell, expandEnvTokens, envLookup, normalizeVariableName } from './substitute.ts';
export { shellSplit, quoteWord } from './shlex.ts';
export { suggest, editDistance } from './suggest.ts';
export {
  describeOptions, defaultStateDir, AGENT_OPTIONS, WATCHER_OPTIONS, WATCHER_TABLES, HOOK_OPTIONS, STREAM_OPTIONS,
  RLIMIT_NAMES, FILE_STREAM_CLASSES, LOG_LEVELS,
} from './schema.ts';
export type { OptionDef, OptionDescription } from './schema.ts';
export { WATCHER_NAME } from './watcher.ts';
export { startOrder } from './order.ts';
export { STREAM_CLASSES, ROTATE_WHEN } from './types.ts';
export type { Config, AgentConfig, WatcherConfig, HookConfig, StreamConfig, StreamClass, RotateWhen } from './types.ts';
