/** The state machines every process shares: process slots and watchers (DESIGN.md §"Processes"). */

export const PROCESS_STATES = ['starting', 'running', 'stopping', 'stopped', 'backoff', 'fatal'] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

/** Circus's watcher states, plus `fatal` (every slot gave up) which Circus lacks. */
export const WATCHER_STATES = ['stopped', 'starting', 'active', 'stopping', 'fatal'] as const;
export type WatcherState = (typeof WATCHER_STATES)[number];

export const HOOK_NAMES = [
  'before_start', 'after_start', 'before_spawn', 'after_spawn', 'before_stop', 'after_stop',
  'before_signal', 'after_signal', 'before_reap', 'after_reap',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/**
 * An agent as the controller sees it: `alive` (heartbeats arrive), `suspect` (some missed),
 * `lost` (none within the deadline), `left` (said goodbye), `discovered` (heard by multicast only).
 */
export const AGENT_STATES = ['alive', 'suspect', 'lost', 'left', 'discovered'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
