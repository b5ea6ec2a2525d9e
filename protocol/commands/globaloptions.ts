/** `globaloptions`: the agent's own options (endpoints, check interval…). */
import { CommandError } from '../errors.ts';
import { defineCommand, p } from './define.ts';

export default defineCommand({
  name: 'globaloptions',
  summary: 'Show the agent\'s options',
  help: 'Replies `options`: endpoint, pubsub_endpoint, stats_endpoint, check_delay (seconds) and Ringmaster\'s own agent options; ' +
    'with `option`, only that one.',
  examples: ['ringctl globaloptions', 'ringctl globaloptions endpoint'],
  properties: { option: p.string({ description: 'One option name.' }).optional },
  positional: ['option'],
  mutates: false, async: false, extension: false,
  run(api, { option }) {
    const all = api.globalOptions();
    if (option === undefined) return { options: all };
    if (!(option in all)) throw new CommandError(`unknown key '${option}'`);
    return { options: { [option]: all[option] } };
  },
});
