/**
 * Lines of the events pane in plain English, from agent events (fleet payloads, or Circus wire
 * events of one agent turned into the same shape), rollout progress and agent state changes.
 * Process state transitions are left out: spawn, reap, backoff and fatal already tell the story.
 */
import { constants } from 'node:os';
import type { RolloutProgress } from '../../protocol/fleet/commands.ts';
import type { AgentState } from '../../protocol/states.ts';
import type { EventEntry, EventLevel } from './model.ts';

/** An agent event: the fields of protocol/events.ts RingEvent (time in ms), loosely typed as it comes off the wire. */
export interface AgentEvent {
  event: string;
  watcher: string;
  time: number;
  [key: string]: unknown;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, num]) => [num, name]));
const signalName = (n: unknown): string => (typeof n === 'number' ? SIGNAL_NAMES.get(n) ?? `signal ${n}` : String(n));
const wid = (e: AgentEvent): string => (e.wid !== undefined ? `wid ${String(e.wid)}` : 'a process');
const proc = (e: AgentEvent): string => `pid ${String(e.pid ?? '?')} (${wid(e)})`;
const why = (e: AgentEvent): string => (typeof e.reason === 'string' && e.reason ? `: ${e.reason}` : '');
const seconds = (ms: unknown): string => (typeof ms === 'number' ? `${+(ms / 1000).toFixed(1)}s` : '?');

const SIMPLE: Record<string, string> = { start: 'started', stop: 'stopped', add: 'added', remove: 'removed', updated: 'options updated', reload: 'reloaded' };
/** Events not worth a line. */
const QUIET = new Set(['state', 'hook_success']);

function describe(e: AgentEvent): { level: EventLevel; text: string } | undefined {
  if (QUIET.has(e.event)) return undefined;
  if (SIMPLE[e.event]) return { level: 'info', text: SIMPLE[e.event] };
  switch (e.event) {
    case 'spawn': return { level: 'info', text: `spawned ${proc(e)}` };
    case 'reap': return { level: 'info', text: `${proc(e)} ${typeof e.reason === 'string' ? e.reason : 'ended'}` };
    case 'kill': return { level: 'info', text: `${proc(e)} sent ${signalName(e.signal)}` };
    case 'watcher_state': return { level: e.to === 'fatal' ? 'error' : 'info', text: `${String(e.from)} → ${String(e.to)}${why(e)}` };
    case 'backoff': return { level: 'warn', text: `${wid(e)} backing off ${seconds(e.delay)} after ${String(e.failures)} failure(s)${why(e)}` };
    case 'flapping': return { level: 'warn', text: `${wid(e)} is flapping (${String(e.failures)} failures)${why(e)}` };
    case 'fatal': return { level: 'error', text: `${wid(e)} gave up after ${String(e.failures)} failures${why(e)}` };
    case 'hook_failure': return { level: 'error', text: `hook ${String(e.hook)} failed${why(e)}` };
    case 'command_failure': return { level: 'error', text: `${String(e.command)} failed${why(e)}` };
    case 'goodbye': return { level: 'warn', text: 'agent said goodbye (stopping)' };
    case 'dropped_events': return { level: 'warn', text: `${String(e.dropped)} event(s) lost while NATS was unreachable` };
    default: return { level: 'info', text: e.event };
  }
}

/** The line for an agent event of `host` (null for the one agent), or undefined when it is not shown. */
export function agentEventEntry(host: string | null, e: AgentEvent): EventEntry | undefined {
  const d = describe(e);
  const watcher = e.watcher && e.watcher !== '_agent' ? e.watcher : null;
  return d && { time: e.time, host, watcher, ...d };
}

/** A line for rollout progress (ring.fleet.rollout.<id>). */
export function rolloutEntry(p: RolloutProgress): EventEntry {
  const head = `rollout ${p.rollout.slice(0, 8)}`;
  const reason = p.reason ? `: ${p.reason}` : '';
  const base = { time: p.ts, host: p.host ?? null, watcher: p.watcher };
  switch (p.event) {
    case 'started': return { ...base, level: 'info', text: `${head} started` };
    case 'batch': return { ...base, level: 'info', text: `${head} batch ${String(p.batch)}: ${(p.hosts ?? []).join(', ')}` };
    case 'host': return { ...base, level: p.status === 'ok' ? 'info' : 'error', text: `${head} ${String(p.status)}${reason}` };
    case 'done': return { ...base, level: 'info', text: `${head} done` };
    case 'stopped': return { ...base, level: 'error', text: `${head} stopped${reason}` };
  }
}

const STATE_LEVEL: Record<AgentState, EventLevel> = { alive: 'info', discovered: 'info', suspect: 'warn', left: 'warn', lost: 'error' };

/** A line for an agent changing state as the controllers see it. */
export function agentStateEntry(host: string, from: AgentState | null, to: AgentState, reason: string | null, time: number): EventEntry {
  return { time, host, watcher: null, level: STATE_LEVEL[to], text: `${from ? `${from} → ` : ''}${to}${reason ? ` (${reason})` : ''}` };
}
