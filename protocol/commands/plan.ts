/** `plan` (extension): what `reloadconfig` would change, without changing anything. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'plan',
  summary: 'Show what reloadconfig would do',
  help: 'Reads the config file like reloadconfig and replies `plan` {add, remove, restart, resize, unchanged} (watcher ' +
    'names) without applying it; an invalid file is an error naming every problem.',
  examples: ['ringctl plan'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: true,
  run: async (api) => ({ plan: await api.planConfig() }),
});
