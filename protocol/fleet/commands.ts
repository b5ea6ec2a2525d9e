/**
 * Fleet commands the controller runs itself (not catalogue commands fanned out to agents), with
 * whether they change anything (for NATS permissions and the audit), and the rollout's options.
 */
import { p, parseProps, type CommandDef } from '../commands/define.ts';

export const CONTROLLER_COMMANDS: Record<string, { mutates: boolean; summary: string }> = {
  hosts: { mutates: false, summary: 'Fleet members with their state (alive, suspect, lost, left, discovered)' },
  rollout: { mutates: true, summary: 'Restart or reload a watcher host batch by host batch, stopping at the first failing batch' },
};

export const ROLLOUT_ACTIONS = ['reload', 'restart'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** Defaults of the rollout's options (ms for durations). */
export const ROLLOUT_DEFAULTS = { action: 'reload', max_parallel: 1, wait_ready: true, pause_ms: 0, settle_ms: 2000, host_timeout_ms: 10 * 60_000 } as const;

/** The rollout's properties, typed and checked like a catalogue command's (CLI options are generated from them). */
export const ROLLOUT_PROPERTIES = {
  name: p.string({ description: 'Watcher to roll out.', complete: 'watcher' }).required,
  action: p.choice(ROLLOUT_ACTIONS, { description: 'reload (graceful: each new process ready before an old one goes) or restart (stop, then start).' }).optional,
  max_parallel: p.integer({ description: 'Hosts per batch.', min: 1 }).optional,
  wait_ready: p.boolean({ description: 'Wait until the batch is ready again before the next one.' }).optional,
  pause_ms: p.integer({ description: 'Pause between batches (ms).', min: 0 }).optional,
  settle_ms: p.integer({ description: 'restart with wait_ready: how long every process must stay up (ms).', min: 0 }).optional,
  host_timeout_ms: p.integer({ description: 'Longest a host may take for its part (ms).', min: 1 }).optional,
};

/** Checks rollout properties (throws CommandError naming the problem) and applies the defaults. */
export function parseRolloutProps(raw: unknown): RolloutProps {
  const def = { name: 'rollout', properties: ROLLOUT_PROPERTIES } as unknown as CommandDef<typeof ROLLOUT_PROPERTIES>;
  const given = parseProps(def, raw);
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...ROLLOUT_DEFAULTS, ...defined } as RolloutProps;
}

/** `properties` of ring.api.rollout. */
export interface RolloutProps {
  /** Watcher to roll. */
  name: string;
  /** reload (default): graceful, each new process must be ready before an old one goes; restart: stop then start. */
  action: RolloutAction;
  /** Hosts per batch. */
  max_parallel: number;
  /** Wait until the batch is ready again before the next: reload waits for readiness; restart for every process to stay up settle_ms. */
  wait_ready: boolean;
  /** Wait between batches (ms). */
  pause_ms: number;
  /** restart + wait_ready: how long every process must stay up (ms). */
  settle_ms: number;
  /** Longest a host may take for its part (ms). */
  host_timeout_ms: number;
}

/** Published on ring.fleet.rollout.<id> as a rollout progresses. */
export interface RolloutProgress {
  rollout: string;
  controller: string;
  event: 'started' | 'batch' | 'host' | 'stopped' | 'done';
  ts: number;
  watcher: string;
  batch?: number;
  hosts?: string[];
  host?: string;
  status?: string;
  reason?: string;
}
