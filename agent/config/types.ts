/** The validated, fully-defaulted configuration of one ringd. Durations are milliseconds. */
import type { HookName } from '../../protocol/states.ts';
import type { LogLevel } from '../log.ts';
import type { SocketConfig } from '../sockets/types.ts';
import type { NatsConfig } from './nats.ts';

export type { NatsConfig };

export const STREAM_CLASSES = [
  'FileStream', 'WatchedFileStream', 'TimedRotatingFileStream', 'StdoutStream', 'FancyStdoutStream', 'NullStream',
] as const;
export type StreamClass = (typeof STREAM_CLASSES)[number];

export const ROTATE_WHEN = ['S', 'M', 'H', 'D', 'MIDNIGHT', 'W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6'] as const;
export type RotateWhen = (typeof ROTATE_WHEN)[number];

export interface StreamConfig {
  class: StreamClass;
  /** Absolute path (relative paths are resolved against the config file's folder). File classes only. */
  filename?: string;
  /** Size rotation: 0 = never. */
  max_bytes: number;
  backup_count: number;
  /** strftime-style prefix for every line, e.g. "%Y-%m-%d %H:%M:%S"; absent = no prefix. */
  time_format?: string;
  /** Time rotation (case-insensitive in the file, upper-case here). */
  rotate_when?: RotateWhen;
  rotate_interval: number;
  utc: boolean;
}

export interface HookConfig {
  /** Run through /bin/sh -c. */
  cmd: string;
  timeout: number;
  ignore_failure: boolean;
}

export interface WatcherConfig {
  name: string;
  /** File that defined this watcher (for error messages). */
  file: string;
  cmd: string;
  args: string[];
  shell: boolean;
  shell_args: string[];
  executable?: string;
  working_dir?: string;
  uid?: number;
  gid?: number;
  /** The watcher's own env table merged over the global [env]; substitution is done at spawn. */
  env: Record<string, string>;
  copy_env: boolean;
  numprocesses: number;
  warmup_delay: number;
  autostart: boolean;
  respawn: boolean;
  singleton: boolean;
  priority: number;
  /** Signal number; 0 means "send nothing, wait for the process to leave by itself". */
  stop_signal: number;
  stop_children: boolean;
  /** `reload` sends SIGHUP instead of replacing the processes. */
  send_hup: boolean;
  graceful_timeout: number;
  max_retry: number;
  max_age: number;
  max_age_variance: number;
  /** RLIMIT name in lower case (nofile, core, …) → value; null = unlimited. */
  rlimits: Record<string, number | null>;
  close_child_stdin: boolean;
  close_child_stdout: boolean;
  close_child_stderr: boolean;
  depends_on: string[];
  backoff_base: number;
  backoff_max: number;
  backoff_reset_after: number;
  backoff_jitter: number;
  hooks: Partial<Record<HookName, HookConfig>>;
  stdout_stream?: StreamConfig;
  stderr_stream?: StreamConfig;
  /** Lines of recent output kept per process. */
  output_lines: number;
  /** true: every socket; an array: those; false: only the sockets cmd/args/env reference. */
  use_sockets: boolean | string[];
  stdin_socket?: string;
  on_demand: boolean;
  ready_delay: number;
  ready_check?: string;
  ready_notify: ReadyNotify;
  ready_timeout: number;
}

export const READY_NOTIFY = ['none', 'fd', 'systemd'] as const;
export type ReadyNotify = (typeof READY_NOTIFY)[number];

export interface AgentConfig {
  id?: string;
  /** Where ringd records its children (pid + start time) for clean-up after a crash. */
  state_dir: string;
  warmup_delay: number;
  check_interval: number;
  loglevel: LogLevel;
  endpoint: string;
  pubsub_endpoint: string;
  stats_endpoint: string;
  stats_interval: number;
  curve_secret_key_file?: string;
  max_request_bytes: number;
  /** Requests from the network (NATS, non-loopback endpoints) may add watchers and set what they run. */
  allow_remote_add: boolean;
  /** Free-form labels announced to the fleet (role, dc…); selectors match them. */
  labels: Record<string, string>;
}

/** [discovery]: UDP multicast announcements (docs/discovery.md). */
export interface DiscoveryConfig {
  enabled: boolean;
  group: string;
  port: number;
  /** Interface name or IPv4 address; absent = the first non-loopback IPv4 interface. */
  interface?: string;
  ttl: number;
  announce_interval: number;
  key_file?: string;
  max_clock_skew: number;
  answer_circus_probe: boolean;
}

export interface Config {
  /** Absolute path of the main file, and every file read (main first, then includes). */
  file: string;
  files: string[];
  agent: AgentConfig;
  discovery: DiscoveryConfig;
  /** [nats]: the agent's link to the fleet (docs/fleet.md). */
  nats: NatsConfig;
  env: Record<string, string>;
  /** In start order: priority descending, then name; dependencies before dependents. */
  watchers: WatcherConfig[];
  /** [sockets.NAME] sections, by name. */
  sockets: SocketConfig[];
}
