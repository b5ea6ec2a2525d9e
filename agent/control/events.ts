/** Ringmaster events in Circus's event-stream format: topic `watcher.<name>.<event>`, JSON payload, time in seconds. */
import { constants } from 'node:os';
import type { RingEvent } from '../../protocol/events.ts';

export interface WireEvent {
  topic: string;
  payload: Record<string, unknown>;
}

/** Circus reports a death by signal as a negative exit code (-15 for SIGTERM). */
function exitCode(code: number | null, signal: string | null): number | null {
  if (code !== null) return code;
  const num = signal ? constants.signals[signal as keyof typeof constants.signals] : undefined;
  return num !== undefined ? -num : null;
}

export function toWire(e: RingEvent): WireEvent {
  const time = e.time / 1000;
  const topic = (name: string) => `watcher.${e.watcher.toLowerCase().replaceAll(' ', '_')}.${name}`;
  switch (e.event) {
    case 'spawn': return { topic: topic('spawn'), payload: { process_pid: e.pid, time, wid: e.wid } };
    case 'reap':
      return { topic: topic('reap'), payload: { process_pid: e.pid, time, exit_code: exitCode(e.exit_code, e.signal), wid: e.wid, reason: e.reason } };
    case 'kill': return { topic: topic('kill'), payload: { process_pid: e.pid, time, wid: e.wid, signal: e.signal } };
    case 'start': case 'stop': case 'add': case 'remove': case 'updated': case 'reload':
      return { topic: topic(e.event), payload: { time } };
    case 'hook_success': return { topic: topic('hook_success'), payload: { name: e.hook, time } };
    case 'hook_failure': return { topic: topic('hook_failure'), payload: { name: e.hook, time, error: e.reason } };
    case 'state':
      return { topic: topic('state'), payload: { wid: e.wid, process_pid: e.pid, from: e.from, to: e.to, reason: e.reason ?? null, time } };
    case 'watcher_state': return { topic: topic('status'), payload: { from: e.from, to: e.to, reason: e.reason ?? null, time } };
    case 'backoff':
      return { topic: topic('backoff'), payload: { wid: e.wid, delay: e.delay / 1000, failures: e.failures, reason: e.reason, time } };
    case 'fatal': case 'flapping':
      return { topic: topic(e.event), payload: { wid: e.wid, failures: e.failures, reason: e.reason, time } };
    case 'command_failure':
      return { topic: topic('command_failure'), payload: { command: e.command, reason: e.reason, errno: e.errno, time } };
    case 'output_error': return { topic: topic('output_error'), payload: { stream: e.stream, reason: e.reason, time } };
  }
}
