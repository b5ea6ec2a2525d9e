/** `inventory` (extension): everything a controller keeps about this agent, in one reply. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'inventory',
  summary: 'Everything the fleet keeps about this agent',
  help: 'Replies `inventory`: the agent id, boot id, inventory revision `rev` (+1 on every process or watcher event, as in ' +
    'heartbeats), labels, every watcher with its state, numprocesses and processes (wid, pid, state, started_at, ' +
    'failures, last_exit), and the sockets. A controller fetches it over NATS (ring.agent.<id>.ctl.inventory) when a ' +
    'heartbeat shows a revision it did not get as events.',
  examples: ['ringctl inventory'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: true,
  run: (api) => ({ inventory: api.inventory() }),
});
