/** `status`: the state of every watcher, or of one (Circus puts it in the reply's `status` key). */
import { defineCommand } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'status',
  summary: 'Show the state of watchers',
  help: 'Without a name: `statuses`, {name: state}. With a name, as Circus does, the state itself is the reply\'s `status` ' +
    '(active, stopped, starting, stopping, or fatal when every process gave up): clients must treat anything but "error" as success.',
  examples: ['ringctl status', 'ringctl status web'],
  properties: { name: watcherName.optional },
  positional: ['name'],
  mutates: false, async: false, extension: false,
  run(api, { name }) {
    if (name !== undefined) return { status: api.watcher(name).state };
    return { statuses: Object.fromEntries(api.names().map((n) => [n, api.watcher(n).state])) };
  },
});
