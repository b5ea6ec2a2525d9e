// Removes namespaces left behind by crashed netns labs (test/support/netns.ts).
//   node --import tsx test/support/netns-cleanup.ts [--prefix rmlab] [--all]
// Without --all only namespaces whose owning pid is dead are removed; --all also removes those of live processes.
// Only names matching `<prefix>-<pid>-<counter>-(br|h<i>)` are ever touched.
import { cleanupStaleNamespaces, DEFAULT_PREFIX, netnsAvailable } from './netns.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--prefix');
const prefix = at >= 0 ? (args[at + 1] ?? DEFAULT_PREFIX) : DEFAULT_PREFIX;
const avail = netnsAvailable();
if (!avail.ok) {
  console.error(`netns-cleanup: ${avail.reason}`);
  process.exit(1);
}
const removed = cleanupStaleNamespaces(prefix, { all: args.includes('--all') });
console.log(removed.length ? `removed ${removed.length}: ${removed.join(' ')}` : 'nothing to remove');
