/** `start`: start one, several (by pattern) or every watcher. */
import { defineCommand } from './define.ts';
import { match, waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'start',
  summary: 'Start watchers',
  help: 'Starts the named watcher (after the watchers it depends on), the watchers matching `name` with `match`, or every ' +
    'watcher. With `waiting`: `info` {started, kept} once they run. A fatal watcher is started afresh.',
  examples: ['ringctl start web --waiting', 'ringctl start "web-*" --match glob', 'ringctl start'],
  properties: { name: watcherName.optional, match, waiting },
  positional: ['name'],
  mutates: true, async: true, extension: false,
  async run(api, { name, match: method }) {
    return { info: await api.start(api.match(name, method ?? 'glob')) };
  },
});
