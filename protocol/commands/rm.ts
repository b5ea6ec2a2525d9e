/** `rm`: stop and remove a watcher. */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'rm',
  summary: 'Remove a watcher',
  help: 'Stops the watcher (unless `nostop`: its processes are then left to finish alone — still cleaned up if ringd dies) ' +
    'and removes it.',
  examples: ['ringctl rm tmp --waiting'],
  properties: {
    name: watcherName.required,
    nostop: p.boolean({ description: 'Remove without stopping the processes.' }).optional,
    waiting,
  },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, nostop }) {
    await api.remove(name, { stop: !(nostop ?? false) });
    return {};
  },
});
