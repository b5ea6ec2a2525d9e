/** `list`: watcher names, or the pids of one watcher. */
import { defineCommand } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'list',
  summary: 'List watchers, or the pids of one watcher',
  help: 'Without a name: `watchers`, every watcher name, sorted. With a name: `pids`, the running pids of that watcher, by wid.',
  examples: ['ringctl list', 'ringctl list web'],
  properties: { name: watcherName.optional },
  positional: ['name'],
  mutates: false, async: false, extension: false,
  run(api, { name }) {
    if (name === undefined) return { watchers: [...api.names()].sort() };
    return { pids: api.watcher(name).processes.map((pr) => pr.pid).filter((pid) => pid !== null) };
  },
});
