/**
 * The fleet at scale, as before `npm run bench -- fleet` existed: same measurements (bench/fleet/), printed
 * without writing bench/results/. Usage: node --import tsx bench/fleet.ts [N ...] [--requests=100] [--window=10]
 */
import { parseArgs } from 'node:util';
import { fleetMarkdown, runFleet } from './fleet/run.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, window: { type: 'string' } } });
const agents = positionals.length ? positionals.map(Number) : undefined;
if (agents?.some((n) => !Number.isInteger(n) || n < 1)) {
  process.stderr.write('usage: node --import tsx bench/fleet.ts [N ...] [--requests=100] [--window=10]\n');
  process.exit(2);
}
const run = await runFleet({
  quick: false, agents, requests: values.requests ? Number(values.requests) : undefined, windowS: values.window ? Number(values.window) : undefined,
  log: (m) => void process.stderr.write(`[fleet bench] ${m}\n`),
});
console.log(fleetMarkdown(run));
process.exit(0);
