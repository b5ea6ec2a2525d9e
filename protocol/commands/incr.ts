/** `incr`: add processes to a watcher. */
import { defineCommand } from './define.ts';
import { nb, waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'incr',
  summary: 'Add processes to a watcher',
  help: 'Raises numprocesses by `nb` (1) and spawns the new processes (next wids). With `waiting`: `numprocesses`. ' +
    'A singleton cannot go above 1.',
  examples: ['ringctl incr web', 'ringctl incr web 2 --waiting'],
  properties: {
    name: watcherName.required,
    nb,
    waiting,
  },
  positional: ['name', 'nb'],
  mutates: true, async: true, extension: false,
  async run(api, { name, nb: count }) {
    return { numprocesses: await api.resize(name, count ?? 1) };
  },
});
