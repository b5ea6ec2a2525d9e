/** `dstats`: process statistics of ringd itself. */
import { defineCommand } from './define.ts';

export default defineCommand({
  name: 'dstats',
  summary: 'Statistics of the agent process itself',
  help: 'Replies `info`, a process-info object (mem_info1, mem_info2, cpu, mem, ctime, pid, username, nice, create_time, age, cmdline, children).',
  examples: ['ringctl dstats'],
  properties: {},
  positional: [],
  mutates: false, async: false, extension: false,
  run: (api) => ({ info: api.selfStats() }),
});
