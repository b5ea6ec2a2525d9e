/**
 * What commands may ask of an agent. The command catalogue runs against this interface; ringd
 * implements it over its arbiter, so the catalogue never imports agent code (ringctl can load it).
 */
import type { DropReason } from './discovery/types.ts';
import type { Inventory } from './fleet/messages.ts';
import type { ProcessState, WatcherState } from './states.ts';

export type MatchMethod = 'glob' | 'simple' | 'regex';

export interface ProcessView {
  wid: number;
  pid: number | null;
  state: ProcessState;
  started_at: number | null;
  failures: number;
  last_exit: string | null;
}

export interface WatcherView {
  name: string;
  state: WatcherState;
  numprocesses: number;
  pending: number;
  processes: ProcessView[];
}

/** Circus's reply to start/restart/reload with `waiting`. */
export interface ChangeInfo {
  stopped?: number[];
  started: number[];
  kept: number[];
}

export interface ReloadPlanView {
  add: string[];
  remove: string[];
  /** A spawn setting changed: stopped and started again. */
  restart: string[];
  /** Other settings changed: applied to the running processes (resized too if numprocesses changed). */
  update: string[];
  /** Only numprocesses changed: resized live, no process restarted. */
  resize: string[];
  unchanged: string[];
  /** Socket sections added, removed, or changed (rebound: their watchers are in `restart`); unchanged ones keep their fd. */
  sockets: { added: string[]; removed: string[]; changed: string[] };
}

export interface OutputLineView {
  time: number;
  stream: 'stdout' | 'stderr';
  pid: number;
  wid: number;
  line: string;
}

export interface SignalTarget {
  pid?: number;
  childpid?: number;
  children?: boolean;
  recursive?: boolean;
}

/** NATS servers an agent learned from a controller's announcement. */
export interface LearnedNats {
  urls: string[];
  from: string;
  address: string;
  at: number;
}

export type DiscoveryState = 'disabled' | 'retrying' | 'running' | 'stopped';

/** The `discovery` command's reply. */
export interface DiscoveryView {
  enabled: boolean;
  state: DiscoveryState;
  reason: string | null;
  id: string;
  boot: string;
  group: string;
  port: number;
  interface: string | null;
  address: string | null;
  ttl: number;
  announce_interval: number;
  signed: boolean;
  announced: number;
  answered: number;
  limited: number;
  received: number;
  sent: number;
  send_errors: number;
  dropped: Record<DropReason, number> | null;
  nats: LearnedNats | null;
}

export interface AgentApi {
  /** Watcher names in start order. */
  names(): string[];
  /** Throws CommandError("program NAME not found") for an unknown name. */
  watcher(name: string): WatcherView;
  /** Names matching a pattern (every watcher when pattern is undefined); none matching is an error. */
  match(pattern: string | undefined, method: MatchMethod): string[];

  start(names: string[]): Promise<ChangeInfo>;
  stop(names: string[]): Promise<void>;
  restart(names: string[]): Promise<ChangeInfo>;
  reload(names: string[], opts: { graceful: boolean; sequential: boolean }): Promise<ChangeInfo>;
  resize(name: string, delta: number): Promise<number>;
  kill(name: string, opts: { pid?: number; signum?: number; gracefulTimeout?: number }): Promise<void>;
  signal(name: string, signum: number, target: SignalTarget): number[];

  add(name: string, cmd: string, args: string[], options: Record<string, unknown>, start: boolean): Promise<ChangeInfo | null>;
  remove(name: string, opts: { stop: boolean }): Promise<void>;
  set(name: string, options: Record<string, unknown>): Promise<void>;
  /** Watcher options by Circus key (durations in seconds). */
  options(name: string): Record<string, unknown>;
  globalOptions(): Record<string, unknown>;

  /** Circus process-info objects keyed by pid, for one watcher. */
  stats(name: string, opts: { extended: boolean }): Record<string, Record<string, unknown>>;
  /** ringd's own process info. */
  selfStats(): Record<string, unknown>;
  sockets(): Record<string, unknown>[];
  tail(name: string, opts: { wid?: number; pid?: number; lines: number }): OutputLineView[];
  health(): Record<string, unknown>;
  discovery(): DiscoveryView;
  /** Everything the fleet keeps about this agent (the `inventory` command). */
  inventory(): Inventory;

  reloadConfig(): Promise<ReloadPlanView>;
  planConfig(): Promise<ReloadPlanView>;
  reopenLogs(): Promise<void>;
  quit(): Promise<void>;
}
