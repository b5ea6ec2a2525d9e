/** `numprocesses`: configured process count of one watcher, or the total. */
import { defineCommand } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'numprocesses',
  summary: 'Number of processes of a watcher, or of all watchers',
  help: 'With a name: that watcher\'s numprocesses and `watcher_name`. Without: the sum over every watcher.',
  examples: ['ringctl numprocesses', 'ringctl numprocesses web'],
  properties: { name: watcherName.optional },
  positional: ['name'],
  mutates: false, async: false, extension: false,
  run(api, { name }) {
    if (name !== undefined) return { numprocesses: api.watcher(name).numprocesses, watcher_name: name };
    return { numprocesses: api.names().reduce((sum, n) => sum + api.watcher(n).numprocesses, 0) };
  },
});
