/** Entry point of the guardian's clean-up, run only after ringd died without a clean shutdown. */
import { cleanupLeftovers } from './leftovers.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: cleanup-main STATE_FILE\n');
  process.exit(2);
}
const report = await cleanupLeftovers(file, { checkAlive: false });
if (report.killed.length) process.stderr.write(`ringd guardian: killed ${report.killed.length} leftover process(es): ${report.killed.join(' ')}\n`);
