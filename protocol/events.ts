/** Events the agent publishes: Circus's watcher events plus one event per state transition. */
import type { ProcessState, WatcherState, HookName } from './states.ts';

interface Base {
  watcher: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export type RingEvent =
  | (Base & { event: 'spawn'; wid: number; pid: number })
  | (Base & { event: 'reap'; wid: number; pid: number; exit_code: number | null; signal: string | null; reason: string })
  | (Base & { event: 'kill'; wid: number; pid: number; signal: number })
  | (Base & { event: 'start' | 'stop' | 'add' | 'remove' | 'updated' | 'reload' })
  | (Base & { event: 'hook_success' | 'hook_failure'; hook: HookName; reason?: string })
  | (Base & { event: 'state'; wid: number; pid: number | null; from: ProcessState; to: ProcessState; reason?: string })
  | (Base & { event: 'watcher_state'; from: WatcherState; to: WatcherState; reason?: string })
  | (Base & { event: 'backoff'; wid: number; delay: number; failures: number; reason: string })
  | (Base & { event: 'fatal'; wid: number; failures: number; reason: string })
  /** A slot entered backoff after running normally: the start of a crash loop. */
  | (Base & { event: 'flapping'; wid: number; failures: number; reason: string })
  /** An async command answered before it finished (no `waiting`) failed later. */
  | (Base & { event: 'command_failure'; command: string; reason: string; errno: number })
  /** Output could not be written (disk full, unwritable folder…): lines stay queued, retried; supervision goes on. */
  | (Base & { event: 'output_error'; stream: 'stdout' | 'stderr'; reason: string });

export type RingEventName = RingEvent['event'];

/** Distributes an event type over a union, so callers can omit `time` from any one member. */
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type RingEventInput = DistributiveOmit<RingEvent, 'time'>;
