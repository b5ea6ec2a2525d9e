/**
 * `npm run bench -- MODE [options]`: Ringmaster measured side by side with its peers.
 *   host    ringd vs supervisord and PM2 on one host (cold start, steady CPU/RSS, status, respawn, restart/stop)
 *   reload  zero-downtime reloads of a shared-socket web watcher under wrk
 *   fleet   a NATS server (and a 3-node cluster), controllers and N agents
 * Each run prints a Markdown report and writes it with the raw JSON to bench/results/ (or --out DIR);
 * a figure that comes out missing or NaN fails the run. --quick: tiny sizes, for the smoke test.
 */
import { parseArgs } from 'node:util';
import { describeMachine, DEFAULT_RESULTS_DIR, machineLine, missingFigures, writeResults } from './lib/results.ts';
import { runHost } from './host/run.ts';
import { hostMarkdown } from './host/report.ts';
import { shutdownActive } from './host/shared.ts';
import { runReload, reloadMarkdown } from './reload/run.ts';
import { runFleet, fleetMarkdown } from './fleet/run.ts';

const USAGE = `usage: npm run bench -- host   [--n 100,500] [--rounds 3] [--workload sleep,http] [--steady 30] [--settle 10] [--kills 20] [--no-install] [--no-built]
       npm run bench -- reload [--reloads 10] [--duration 20]
       npm run bench -- fleet  [--agents 10,100,1000] [--real 10] [--window 10] [--requests 100]
common: --quick (tiny sizes: the smoke test), --out DIR (default bench/results/)`;

/** settle: seconds between "all running" and the steady window; V8's memory reducer runs one collection ~8 s after a
 * Node daemon's start-up burst, which is start-up, not steady state (the same wait for every peer). */
const HOST_DEFAULTS = { n: '100', rounds: 3, workload: 'sleep,http', steady: 30, settle: 10, kills: 20, cliRuns: 10, apiCalls: 200 };
const HOST_QUICK = { n: '3', rounds: 1, workload: 'sleep,http', steady: 1, settle: 0.3, kills: 2, cliRuns: 1, apiCalls: 20 };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    n: { type: 'string' }, rounds: { type: 'string' }, workload: { type: 'string' }, steady: { type: 'string' }, settle: { type: 'string' },
    kills: { type: 'string' }, 'no-install': { type: 'boolean', default: false }, 'no-built': { type: 'boolean', default: false },
    reloads: { type: 'string' }, duration: { type: 'string' },
    agents: { type: 'string' }, real: { type: 'string' }, window: { type: 'string' }, requests: { type: 'string' },
  },
});

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping what runs, then exiting`);
    void shutdownActive().finally(() => process.exit(130));
  });
}
const fail = (msg: string): never => {
  process.stderr.write(`bench: ${msg}\n${USAGE}\n`);
  process.exit(2);
};
/** A positive number option, or its default. */
function num(name: string, raw: string | undefined, dflt: number): number {
  const v = raw === undefined ? dflt : Number(raw);
  if (!(v > 0)) fail(`--${name} must be a positive number, got "${raw}"`);
  return v;
}
function list(name: string, raw: string): number[] {
  const xs = raw.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) fail(`--${name} takes positive integers separated by commas, got "${raw}"`);
  return xs;
}

const mode = positionals[0];
if (values.help || !mode) fail(mode ? 'help' : 'no mode given');
const quick = values.quick!;
const machine = describeMachine();
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
let title: string;
let body: string;
let data: unknown;

if (mode === 'host') {
  const d = quick ? HOST_QUICK : HOST_DEFAULTS;
  const workloads = (values.workload ?? d.workload).split(',');
  if (workloads.some((w) => w !== 'sleep' && w !== 'http')) fail(`--workload takes sleep and/or http, got "${values.workload}"`);
  const run = await runHost({
    sizes: list('n', values.n ?? d.n), rounds: num('rounds', values.rounds, d.rounds), workloads: workloads as ('sleep' | 'http')[],
    steadyMs: num('steady', values.steady, d.steady) * 1000, settleMs: num('settle', values.settle, d.settle) * 1000, kills: num('kills', values.kills, d.kills),
    cliRuns: d.cliRuns, apiCalls: d.apiCalls, allowInstall: !values['no-install'], built: !quick && !values['no-built'], log,
  });
  title = 'Single host: ringd against supervisord and PM2';
  body = hostMarkdown(run);
  data = run;
} else if (mode === 'reload') {
  const run = await runReload({ quick, reloads: values.reloads ? num('reloads', values.reloads, 1) : undefined,
    durationS: values.duration ? num('duration', values.duration, 1) : undefined, log });
  title = 'Zero-downtime reloads under load';
  body = reloadMarkdown(run);
  data = run;
} else if (mode === 'fleet') {
  const run = await runFleet({ quick, agents: values.agents ? list('agents', values.agents) : undefined,
    real: values.real !== undefined ? Number(values.real) : undefined, windowS: values.window ? num('window', values.window, 1) : undefined,
    requests: values.requests ? num('requests', values.requests, 1) : undefined, log });
  title = 'The fleet at scale';
  body = fleetMarkdown(run);
  data = run;
} else {
  fail(`unknown mode "${mode}"`);
}

machine.loadEnd = (await import('node:os')).loadavg()[0];
const markdown = `## ${title!}\n\nMachine: ${machineLine(machine)}\n\nCommand: \`${command}\`\n\n${body!}`;
process.stdout.write(`${markdown}\n`);
const missing = missingFigures(data!);
const written = writeResults(values.out ?? DEFAULT_RESULTS_DIR, mode!, markdown, { mode, command, machine, quick, results: data! });
log(`wrote ${written.markdown} and ${written.json}`);
if (missing.length) {
  process.stderr.write(`bench: ${missing.length} figure(s) missing or NaN: ${missing.slice(0, 20).join(', ')}\n`);
  process.exit(1);
}
process.exit(0);
