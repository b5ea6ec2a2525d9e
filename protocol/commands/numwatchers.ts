/** `numwatchers`: how many watchers the agent has. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'numwatchers',
  summary: 'Number of watchers',
  help: 'Replies `numwatchers`.',
  examples: ['ringctl numwatchers'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: false,
  run: (api) => ({ numwatchers: api.names().length }),
});
