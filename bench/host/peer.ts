/**
 * What the host benchmark needs from a supervisor under test ("peer"): launch it cold on a workload,
 * find its process tree, run its status CLI, and drive it over its own API on a persistent connection.
 */
import { realpathSync } from 'node:fs';
import type { WorkloadMatch } from '../lib/proctree.ts';

/** How long a workload process lives unless killed (also the word that marks it in the command line). */
export const WORKLOAD_SECONDS = '86400';

export interface Workload {
  name: 'sleep' | 'http';
  /** Program and arguments, the same for every peer. */
  file: string;
  args: string[];
  match: WorkloadMatch;
}

/** N × `sleep 86400`, or N × a small HTTP server (python3 http.server on a free loopback port). */
export function workload(name: Workload['name'], dir: string): Workload {
  if (name === 'sleep') {
    const file = realpathSync('/usr/bin/sleep');
    return { name, file, args: [WORKLOAD_SECONDS], match: { exe: file, arg: WORKLOAD_SECONDS } };
  }
  const file = realpathSync('/usr/bin/python3');
  return { name, file, args: ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], match: { exe: file, arg: 'http.server' } };
}

/** The workload as one shell-safe command line (for config files). */
export function commandLine(w: Workload): string {
  return [w.file, ...w.args].map((a) => (/^[\w./:=-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

export interface LaunchSpec {
  n: number;
  workload: Workload;
  /** A fresh private directory for configs, sockets, logs and state. */
  dir: string;
}

/** A command line to time as a whole process. */
export interface Command {
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** The peer's own API over one persistent connection. */
export interface ApiClient {
  /** `count` sequential status round trips (the call the peer's status CLI makes), each in ms. */
  statusLoop(count: number): Promise<number[]>;
  /** Asks for every process to be restarted / stopped; may resolve before that is done. */
  restartAll(): Promise<void>;
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningPeer {
  /** Roots of the peer's process tree as known now (a daemon that detaches appears once its pid is known). */
  roots(): number[];
  /** Resolves once the peer can take commands (control endpoint known, daemon pid known…). */
  ready(): Promise<void>;
  /** The status CLI as an operator types it. */
  statusCli(): Command;
  api(): Promise<ApiClient>;
  /** Stops the peer and every process it started; never leaves a daemon behind. */
  shutdown(): Promise<void>;
}

export interface Peer {
  /** Short name used in tables ("ringd", "supervisord", "pm2"). */
  name: string;
  /** Undefined when the peer can run here, else why it cannot (shown in the report). */
  prepare(): Promise<string | undefined>;
  /** Starts the peer cold on the workload; returns at once (the clock runs from just before the call). */
  launch(spec: LaunchSpec): RunningPeer;
  /** Version string for the report. */
  version(): string;
}

/** Times count sequential calls of fn, in ms each. */
export async function timeLoop(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
