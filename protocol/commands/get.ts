/** `get`: selected options of a watcher. */
import { CommandError } from '../errors.ts';
import { defineCommand, p } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'get',
  summary: 'Get options of a watcher',
  help: 'Replies `options` with the requested keys; an unknown key is an error (errno 3).',
  examples: ['ringctl get web numprocesses graceful_timeout'],
  properties: {
    name: watcherName.required,
    keys: p.strings({ description: 'Option names.', complete: 'option' }).required,
  },
  positional: ['name', 'keys'],
  mutates: false, async: false, extension: false,
  run(api, { name, keys }) {
    const all = api.options(name);
    const options: Record<string, unknown> = {};
    for (const key of keys) {
      if (!(key in all)) throw new CommandError(`unknown key '${key}'`);
      options[key] = all[key];
    }
    return { options };
  },
});
