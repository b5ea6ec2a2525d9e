#!/usr/bin/env node
// ringctl: bundled or compiled when a fresh build exists, else from the TypeScript sources (bin/launch.js).
// A TAB (`__complete`) first tries the fast path, which answers from the on-disk cache alone.
import { loadCli, stamp } from './launch.js';

// Which code answers, so that the completion spec cached for the fast path is the one it made.
process.env.RINGCTL_SPEC_STAMP = stamp;
const args = process.argv.slice(2);
let answered = false;
if (args[0] === '__complete' && process.env.RINGCTL_COMPLETION_FAST !== '0') {
  const { fastComplete } = await loadCli('fast', 'ctl/completion/fast');
  const out = await fastComplete(args.slice(1), stamp);
  if (out !== undefined) {
    process.stdout.write(out);
    answered = true;
  }
}
if (!answered) await loadCli('main', 'ctl/main');
