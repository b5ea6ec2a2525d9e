/**
 * The state file: which ringd (pid + start time) runs, its boot id, and every child it spawned
 * (pid, start time, spawn marker), rewritten atomically on every change, so that the guardian or
 * the next ringd can clean up after a crash without ever killing an unrelated process.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { readStat } from '../supervise/proc.ts';

export const STATE_FILE_VERSION = 1;

export interface ChildEntry {
  pid: number;
  /** /proc start time (clock ticks since boot): a recycled pid never matches. */
  starttime: number;
  watcher: string;
  marker: string;
}

export interface AgentState {
  version: number;
  ringd: { pid: number; starttime: number };
  boot_id: string;
  children: ChildEntry[];
}

export function readState(file: string): AgentState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as AgentState;
    if (s.version !== STATE_FILE_VERSION || !Array.isArray(s.children) || typeof s.boot_id !== 'string') return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/** Keeps the state file in step with the running children; writes are coalesced per tick. */
export class StateRecorder {
  private children: ChildEntry[] = [];
  private scheduled = false;
  private readonly self = { pid: process.pid, starttime: readStat(process.pid)?.starttime ?? 0 };

  constructor(private readonly file: string, private readonly bootId: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.write();
  }

  update(children: { pid: number; watcher: string; marker: string }[]): void {
    const known = new Map(this.children.map((c) => [c.pid, c]));
    this.children = children.map((c) => known.get(c.pid) ?? { ...c, starttime: readStat(c.pid)?.starttime ?? 0 });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.write(); });
  }

  /** Removes the file on a clean exit: nothing is left to clean up. */
  remove(): void {
    try { unlinkSync(this.file); } catch { /* already gone */ }
  }

  private write(): void {
    const state: AgentState = { version: STATE_FILE_VERSION, ringd: this.self, boot_id: this.bootId, children: this.children };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
