/** `restart`: stop then start watchers. */
import { defineCommand } from './define.ts';
import { match, waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'restart',
  summary: 'Restart watchers (stop, then start)',
  help: 'Stops then starts the matching watchers (every watcher without a name; unlike Circus the agent itself and its ' +
    'sockets stay up). With `waiting`: `info` {stopped, started, kept}. For no downtime use `reload`.',
  examples: ['ringctl restart web --waiting', 'ringctl restart "s*" --match glob'],
  properties: { name: watcherName.optional, match, waiting },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, match: method }) {
    return { info: await api.restart(api.match(name, method ?? 'glob')) };
  },
});
