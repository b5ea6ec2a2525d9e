/** `stop`: stop one, several (by pattern) or every watcher; ringd keeps running. */
import { defineCommand } from './define.ts';
import { match, waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'stop',
  summary: 'Stop watchers',
  help: 'Stops the named watcher (after the watchers that depend on it), the watchers matching `name`, or every watcher; the ' +
    'agent keeps running. Each process gets its stop_signal, then SIGKILL after graceful_timeout; the stop ends when no ' +
    'process of its tree is left. A long stop blocks nothing else; later commands on the same watcher wait for it.',
  examples: ['ringctl stop ingest --waiting', 'ringctl stop'],
  properties: { name: watcherName.optional, match, waiting },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, match: method }) {
    await api.stop(api.match(name, method ?? 'glob'));
    return { info: null };
  },
});
