/** `reload`: replace a watcher's processes gracefully (new ones first), or send them SIGHUP. */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'reload',
  summary: 'Replace processes gracefully',
  help: 'Graceful (default): starts the new processes, then stops the old ones; `sequential` does it one process at a time ' +
    '(new one up, then its old one down). With `send_hup` set on the watcher, sends SIGHUP instead. `graceful: false` is a ' +
    'restart. Without a name, every watcher. With `waiting`: `info` {stopped, started, kept}.',
  examples: ['ringctl reload web --waiting', 'ringctl reload web --sequential', 'ringctl reload web --terminate'],
  properties: {
    name: watcherName.optional,
    graceful: p.boolean({ description: 'false: plain restart (Circus --terminate).' }).optional,
    sequential: p.boolean({ description: 'Replace one process at a time.' }).optional,
    waiting,
  },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, graceful, sequential }) {
    const names = name === undefined ? api.names() : [api.watcher(name).name];
    return { info: await api.reload(names, { graceful: graceful ?? true, sequential: sequential ?? false }) };
  },
});
