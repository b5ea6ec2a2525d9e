/** `options`: every option of a watcher. */
import { defineCommand } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'options',
  summary: 'Show every option of a watcher',
  help: 'Replies `options` with Circus\'s keys; durations are in seconds.',
  examples: ['ringctl options web'],
  properties: { name: watcherName.required },
  positional: ['name'],
  mutates: false, async: false, extension: false,
  run: (api, { name }) => ({ options: api.options(name) }),
});
