/** `add`: create a watcher at run time (and optionally start it). */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'add',
  summary: 'Add a watcher',
  help: 'Creates watcher `name` running `cmd` (+ `args`) with `options` (any [watchers.NAME] key of the config file, checked ' +
    'the same way); `start` starts it. A name already in use is an error. The watcher lives until `rm` or a config reload ' +
    'that does not define it.',
  examples: ['ringctl add --start tmp "sleep 99"', 'ringctl add worker "python3 w.py" --options \'{"numprocesses": 2}\''],
  properties: {
    name: watcherName.required,
    cmd: p.string({ description: 'Command line.' }).required,
    args: p.strings({ description: 'Extra arguments.' }).optional,
    options: p.object({ description: 'Watcher options, as in the config file.' }).optional,
    start: p.boolean({ description: 'Start it at once.' }).optional,
    waiting,
  },
  positional: ['name', 'cmd'],
  mutates: true, async: true, extension: false,
  async run(api, { name, cmd, args, options, start }) {
    const info = await api.add(name, cmd, args ?? [], options ?? {}, start ?? false);
    return info ? { started: info.started, kept: info.kept } : {};
  },
});
