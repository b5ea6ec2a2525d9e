/** `tail` (extension): recent output lines of a watcher or one of its processes. */
import { defineCommand, p } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'tail',
  summary: 'Recent output of a watcher',
  help: 'Replies `lines`: [{time, stream, pid, wid, line}], oldest first, from the in-memory ring of each process ' +
    '(output_lines per process), filtered by `wid` or `pid`, the last `lines` (default 50) of them.',
  examples: ['ringctl tail web', 'ringctl tail web --wid 2 --lines 200'],
  properties: {
    name: watcherName.required,
    wid: p.integer({ description: 'Only this worker id.', min: 1 }).optional,
    pid: p.integer({ description: 'Only this pid.', min: 1 }).optional,
    lines: p.integer({ description: 'How many lines (default 50).', min: 0 }).optional,
  },
  positional: ['name'],
  mutates: false, async: false, extension: true,
  run: (api, { name, wid, pid, lines }) => ({ lines: api.tail(name, { wid, pid, lines: lines ?? 50 }) }),
});
