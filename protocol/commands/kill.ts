/** `kill`: stop processes of a watcher with a chosen signal; the watcher replaces them. */
import { defineCommand, p } from './define.ts';
import { waiting, watcherName } from './props.ts';

export default defineCommand({
  name: 'kill',
  summary: 'Kill processes of a watcher (they are replaced)',
  help: 'Stops every process of the watcher, or only `pid`, with `signum` instead of stop_signal and `graceful_timeout` ' +
    'seconds before SIGKILL; an active watcher then spawns replacements.',
  examples: ['ringctl kill web', 'ringctl kill web 4242 --signum KILL', 'ringctl kill web --graceful_timeout 2'],
  properties: {
    name: watcherName.required,
    pid: p.integer({ description: 'Only this process.', min: 1 }).optional,
    signum: p.signal({ description: 'Signal to send instead of stop_signal.' }).optional,
    graceful_timeout: p.number({ description: 'Seconds before SIGKILL.', min: 0 }).optional,
    waiting,
  },
  positional: ['name', 'pid'],
  mutates: true, async: true, extension: false,
  async run(api, { name, pid, signum, graceful_timeout }) {
    await api.kill(name, { pid, signum, gracefulTimeout: graceful_timeout === undefined ? undefined : graceful_timeout * 1000 });
    return {};
  },
});
