/** The ring.agent.<id>.hb message: who the agent is, what it runs (counts by state), its revision and the host's load. */
import os from 'node:os';
import { FLEET_VERSION, type Heartbeat } from '../../protocol/fleet/messages.ts';
import type { ProcessState } from '../../protocol/states.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import { VERSION } from '../version.ts';

export interface HeartbeatInput {
  id: string;
  seq: number;
  intervalMs: number;
  /** When ringd started, ms since the epoch. */
  startedAt: number;
  labels: Record<string, string>;
  rev: number;
  droppedEvents: number;
}

/** A heartbeat from the arbiter's current state; `processes` counts the slots that have a live pid. */
export function buildHeartbeat(arbiter: Arbiter, input: HeartbeatInput): Heartbeat {
  const states: Partial<Record<ProcessState, number>> = {};
  let processes = 0;
  const watchers = arbiter.status();
  for (const w of watchers) {
    for (const p of w.processes) {
      states[p.state] = (states[p.state] ?? 0) + 1;
      if (p.pid !== null) processes++;
    }
  }
  const now = Date.now();
  const [l1, l5, l15] = os.loadavg();
  return {
    v: FLEET_VERSION,
    id: input.id,
    boot: arbiter.bootId,
    seq: input.seq,
    ts: now,
    host: os.hostname(),
    version: VERSION,
    interval_ms: input.intervalMs,
    uptime_s: Math.round((now - input.startedAt) / 100) / 10,
    labels: input.labels,
    watchers: watchers.length,
    processes,
    states,
    rev: input.rev,
    load: [l1, l5, l15],
    mem: { total: os.totalmem(), free: os.freemem() },
    dropped_events: input.droppedEvents,
  };
}
