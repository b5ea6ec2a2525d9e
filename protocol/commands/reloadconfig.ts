/** `reloadconfig`: re-read the config file and apply the difference. */
import { defineCommand } from './define.ts';
import { waiting } from './props.ts';

export default defineCommand({
  name: 'reloadconfig',
  summary: 'Reload the configuration file',
  help: 'Re-reads the file and its includes; an invalid file is an error naming every problem and changes nothing. ' +
    'Watchers added are started, removed ones stopped, changed ones restarted only when a spawn setting changed ' +
    '(numprocesses alone resizes). Use `plan` to see what it would do.',
  examples: ['ringctl reloadconfig --waiting'],
  properties: { waiting },
  positional: [],
  mutates: true, async: true, extension: false,
  async run(api) {
    await api.reloadConfig();
    return {};
  },
});
