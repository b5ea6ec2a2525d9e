/** `set`: change options of a running watcher. */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'set',
  summary: 'Change options of a watcher',
  help: 'Applies `options` (config-file keys and types; an unknown key or a bad value is errno 3 and changes nothing). ' +
    'numprocesses resizes; stop, hook, backoff and age settings apply at once; output streams are swapped live; settings ' +
    'of how processes are spawned (cmd, args, env, uid, working_dir…) restart the watcher. Emits `updated`.',
  examples: ['ringctl set web graceful_timeout 5', 'ringctl set web numprocesses 4 --waiting'],
  properties: {
    name: watcherName.required,
    options: p.object({ description: 'Options to change.' }).required,
    waiting,
  },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, options }) {
    await api.set(name, options);
    return {};
  },
});
