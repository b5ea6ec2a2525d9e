/** `stats`: process statistics of every watcher, one watcher, or one process. */
import { CommandError } from '../errors.ts';
import { defineCommand, p } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'stats',
  summary: 'Process statistics (cpu, memory, age…)',
  help: 'No name: `infos` {watcher: {pid: info}}. A name: `name` and `info` {pid: info}. A name and `process`: `process` and `info`. ' +
    'Unlike Circus, a process that just ended is left out instead of being reported as a string.',
  examples: ['ringctl stats', 'ringctl stats web', 'ringctl stats web 4242'],
  properties: {
    name: watcherName.optional,
    process: p.integer({ description: 'One pid of the watcher.', min: 1 }).optional,
    extended: p.boolean({ description: 'Accepted for compatibility: children are always included.' }).optional,
  },
  positional: ['name', 'process'],
  mutates: false, async: false, extension: false,
  run(api, { name, process, extended }) {
    const opts = { extended: extended ?? false };
    if (name === undefined) {
      if (process !== undefined) throw new CommandError("message invalid 'name' is missing");
      return { infos: Object.fromEntries(api.names().map((n) => [n, api.stats(n, opts)])) };
    }
    const info = api.stats(name, opts);
    if (process === undefined) return { name, info };
    const one = info[String(process)];
    if (!one) throw new CommandError(`process ${process} not found in '${name}'`);
    return { process, info: one };
  },
});
