/** `decr`: remove processes from a watcher. */
import { defineCommand } from './define.ts';
import { nb, waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'decr',
  summary: 'Remove processes from a watcher',
  help: 'Lowers numprocesses by `nb` (1, never below 0) and stops the processes with the highest wids, each through the ' +
    'full stop sequence (and with a reap event, unlike Circus). With `waiting`: `numprocesses`.',
  examples: ['ringctl decr web', 'ringctl decr web 2 --waiting'],
  properties: {
    name: watcherName.required,
    nb,
    waiting,
  },
  positional: ['name', 'nb'],
  mutates: true, async: true, extension: false,
  async run(api, { name, nb: count }) {
    return { numprocesses: await api.resize(name, -(count ?? 1)) };
  },
});
