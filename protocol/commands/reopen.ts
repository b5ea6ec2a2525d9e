/** `reopen` (extension): reopen every output log file. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'reopen',
  summary: 'Reopen log files',
  help: 'Reopens every file stream, as SIGUSR1 does (after logrotate moved them away). Lines are never lost across it.',
  examples: ['ringctl reopen'],
  properties: {},
  positional: [],
  mutates: true, async: false, extension: true,
  run: async (api) => {
    await api.reopenLogs();
    return {};
  },
});
