/** `incr`: add processes to a watcher. */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'incr',
  summary: 'Add processes to a watcher',
  help: 'Raises numprocesses by `nb` (1) and spawns the new processes (next wids). With `waiting`: `numprocesses`. ' +
    'A singleton cannot go above 1.',
  examples: ['ringctl incr web', 'ringctl incr web 2 --waiting'],
  properties: {
    name: watcherName.required,
    nb: p.integer({ description: 'How many processes (default 1).', min: 0 }).optional,
    waiting,
  },
  positional: ['name', 'nb'],
  mutates: true, async: true, extension: false,
  async run(api, { name, nb }) {
    return { numprocesses: await api.resize(name, nb ?? 1) };
  },
});
