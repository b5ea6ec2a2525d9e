/** `listen`: a client-side command that subscribes to the event stream; a control endpoint refuses it. */
import { CommandError } from '../errors.ts';
import { defineCommand, p } from './define.ts';

export default defineCommand({
  name: 'listen',
  summary: 'Follow the event stream',
  help: 'Subscribes to the PUB event endpoint and prints `topic payload` lines; topics filter by prefix (e.g. watcher.web.). ' +
    'Sent to the control endpoint it is an error, as in Circus.',
  examples: ['ringctl listen', 'ringctl listen watcher.web.'],
  properties: { topics: p.strings({ description: 'Topic prefixes.' }).optional },
  positional: ['topics'],
  mutates: false, async: false, extension: false,
  run() {
    throw new CommandError('invalid message. use a pub/sub socket');
  },
});
