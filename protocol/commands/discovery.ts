/** `discovery` (extension): the state and counters of the agent's multicast discovery. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'discovery',
  summary: 'Discovery state and counters',
  help: 'Replies `discovery`: enabled, state (running, retrying, disabled, stopped) and why, the agent id and boot id, group, ' +
    'port, interface and address, ttl, announce_interval (s), whether datagrams are signed, counts of announcements sent, ' +
    'queries answered and left unanswered by the rate limit, datagrams received and sent, send errors, dropped datagrams ' +
    'by reason (malformed, oversize, version, unsigned, forged, stale, replayed), and the NATS servers learned from a ' +
    'controller (urls, from, address, at). Counters start again when a reload restarts discovery.',
  examples: ['ringctl discovery'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: true,
  run: (api) => ({ discovery: api.discovery() }),
});
