/** `quit`: stop every watcher in order and exit the agent. */
import { defineCommand } from './define.ts';
import { waiting } from './props.ts';

export default defineCommand({
  name: 'quit',
  summary: 'Stop everything and exit the agent',
  help: 'Stops every watcher in dependency and priority order, then ringd exits 0. With `waiting`, the reply comes when ' +
    'everything has stopped, just before the exit.',
  examples: ['ringctl quit --waiting'],
  properties: { waiting },
  positional: [],
  mutates: true, async: true, extension: false,
  async run(api) {
    await api.quit();
    return {};
  },
});
