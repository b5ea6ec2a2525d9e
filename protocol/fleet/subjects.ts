/**
 * NATS subjects of the fleet (DESIGN.md "Fleet (NATS)"). The command is part of the subject so
 * NATS permissions can grant read-only or operator rights per command. Watcher names may hold
 * "." (a subject separator), which subjects carry as "~" (never part of a name), reversibly.
 */

export const ROOT = 'ring';
/** Queue group in which every controller serves ring.api.* (any one of them answers). */
export const API_QUEUE = 'ringmaster';

/** A watcher name as a subject token ("web.v2" → "web~v2"), and back. */
export const nameToken = (name: string): string => name.replaceAll('.', '~');
export const tokenName = (token: string): string => token.replaceAll('~', '.');

export const subjects = {
  /** Everything one agent publishes or serves. */
  agent: (id: string) => `${ROOT}.agent.${id}.>`,
  heartbeat: (id: string) => `${ROOT}.agent.${id}.hb`,
  heartbeats: `${ROOT}.agent.*.hb`,
  /** Request/reply: the same JSON body as on ZeroMQ ({id, command, properties}). */
  ctl: (id: string, command: string) => `${ROOT}.agent.${id}.ctl.${command}`,
  ctlAll: (id: string) => `${ROOT}.agent.${id}.ctl.*`,
  event: (id: string, watcher: string, event: string) => `${ROOT}.agent.${id}.evt.${nameToken(watcher)}.${event}`,
  events: `${ROOT}.agent.*.evt.>`,
  /** Events every agent sends about itself (reconnected, dropped events…), not tied to a watcher. */
  agentEvent: (id: string, event: string) => `${ROOT}.agent.${id}.evt._agent.${event}`,
  stats: (id: string) => `${ROOT}.agent.${id}.stats`,
  allStats: `${ROOT}.agent.*.stats`,
  /** Output lines of one watcher; published only while a follow lease is held. */
  log: (id: string, watcher: string) => `${ROOT}.agent.${id}.log.${nameToken(watcher)}`,
  /** Request/reply: open or renew a follow lease ({watcher, lease_ms}) → {subject, lease_ms}. */
  follow: (id: string) => `${ROOT}.agent.${id}.follow`,
  /** Request/reply to the controllers (queue group API_QUEUE): a fleet command. */
  api: (command: string) => `${ROOT}.api.${command}`,
  apiAll: `${ROOT}.api.*`,
  /** Request/reply: the whole fleet view. */
  fleetSnapshot: `${ROOT}.fleet.snapshot`,
  /** Published by controllers: one agent's view changed (or a rollout progressed). */
  fleetDelta: (id: string) => `${ROOT}.fleet.delta.${id}`,
  fleetDeltas: `${ROOT}.fleet.delta.*`,
  fleetRollout: (rollout: string) => `${ROOT}.fleet.rollout.${rollout}`,
} as const;
