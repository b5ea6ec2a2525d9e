/** `health` (extension): the agent's self-check. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'health',
  summary: 'Agent self-check',
  help: 'Replies `health`: version, pid, boot_id, uptime (s), its own cpu (%) and rss (bytes), event-loop lag (ms), counts ' +
    'of watchers and processes by state, and the queue length of pending commands.',
  examples: ['ringctl health'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: true,
  run: (api) => ({ health: api.health() }),
});
