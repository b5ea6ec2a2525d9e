/** `signal`: send a signal to processes of a watcher, their children, or their whole trees. */
import { defineCommand, p } from './define.ts';
import { watcherName } from './props.ts';

export default defineCommand({
  name: 'signal',
  summary: 'Send a signal to processes',
  help: 'Sends `signum` to every process of the watcher (or only `pid`); `childpid` targets one child of that process, ' +
    '`children` the direct children instead of the process, `recursive` the process and every descendant (escaped ones ' +
    'included). A bad signal name is a clear errno 3 error, not a traceback.',
  examples: ['ringctl signal web HUP', 'ringctl signal web 4242 USR1', 'ringctl signal web TERM --recursive'],
  properties: {
    name: watcherName.required,
    signum: p.signal({ description: 'Signal name or number.' }).required,
    pid: p.integer({ description: 'Only this process of the watcher.', min: 1 }).optional,
    childpid: p.integer({ description: 'A child of `pid`.', min: 1 }).optional,
    children: p.boolean({ description: 'Signal the direct children instead.' }).optional,
    recursive: p.boolean({ description: 'Signal the process and all its descendants.' }).optional,
  },
  positional: ['name', 'pid', 'signum'],
  mutates: true, async: false, extension: false,
  run(api, { name, signum, pid, childpid, children, recursive }) {
    api.signal(name, signum, { pid, childpid, children, recursive });
    return {};
  },
});
