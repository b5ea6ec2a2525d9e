/** `listsockets`: the sockets held by the agent. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'listsockets',
  summary: 'List the sockets held by the agent',
  help: 'Replies `sockets`: [{fd, name, backlog, host, port}] or [{fd, name, backlog, path}], sorted by fd.',
  examples: ['ringctl listsockets'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: false,
  run: (api) => ({ sockets: api.sockets() }),
});
