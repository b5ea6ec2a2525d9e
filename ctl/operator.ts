/**
 * ringctl's commands beyond the catalogue: `wait --ready WATCHER` (blocks until the watcher runs
 * every process, on one agent or every targeted host), `logs [-f] WATCHER`, and `check` (a
 * Nagios/Icinga plugin: exit 0/1/2/3 with a one-line summary and perfdata).
 */
import type { Command } from 'commander';
import type { Inventory } from '../protocol/fleet/messages.ts';
import { selectors } from './context.ts';
import { CtlError, EXIT } from './errors.ts';
import { logs, type LogsFlags } from './logs.ts';
import { addOutputOptions } from './program.ts';
import type { GlobalFlags } from './run.ts';
import { onTarget } from './transport/index.ts';

const WAIT_DEFAULT_S = 60;
const POLL_MS = 300;
const NAGIOS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
type Level = keyof typeof NAGIOS;

/** Inventories of the target: one (local) or one per host (fleet; hosts that did not answer carry the reason). */
type HostInventory = { host: string | null; inventory?: Inventory; problem?: string };

async function inventories(f: GlobalFlags): Promise<HostInventory[]> {
  return onTarget<HostInventory[]>(f, async (local) => [{ host: null, inventory: (await local.call('inventory', {})).inventory as Inventory }], async (fleet) => {
    const r = await fleet.call('inventory', { target: selectors(f) ?? { all: true }, timeout_ms: f.timeout * 1000 }, f.timeout * 1000 + 5000);
    if (r.status === 'error' && r.results.length === 0) throw new CtlError('error', r.reason ?? 'refused');
    return r.results.map((x) => (x.status === 'ok' ? { host: x.host, inventory: x.reply!.inventory as Inventory } : { host: x.host, problem: `${x.status}${x.reason ? `: ${x.reason}` : ''}` }));
  });
}

/** Why a watcher is not ready yet, or undefined when every process runs. */
function notReady(inv: Inventory | undefined, watcher: string): string | undefined {
  const w = inv?.watchers.find((x) => x.name.toLowerCase() === watcher.toLowerCase());
  if (!w) return `no watcher ${watcher}`;
  const running = w.processes.filter((p) => p.state === 'running').length;
  if (w.state === 'active' && running === w.numprocesses && w.processes.length === w.numprocesses) return undefined;
  return `${w.state}, ${running}/${w.numprocesses} running`;
}

async function waitReady(watcher: string, f: GlobalFlags, budgetS: number): Promise<number> {
  const deadline = Date.now() + budgetS * 1000;
  let last = '';
  for (;;) {
    const invs = await inventories(f).catch((err: unknown): Awaited<ReturnType<typeof inventories>> => {
      if (err instanceof CtlError && err.outcome !== 'timeout') throw err;
      return [{ host: null, problem: (err as Error).message }];
    });
    const pending = invs.map((i) => ({ host: i.host, why: i.problem ?? notReady(i.inventory, watcher) })).filter((p) => p.why !== undefined);
    if (pending.length === 0) {
      process.stdout.write(`${watcher}: ready${invs.length > 1 || invs[0].host ? ` on ${invs.map((i) => i.host).join(', ')}` : ''}\n`);
      return EXIT.ok;
    }
    last = pending.map((p) => `${p.host ? `${p.host}: ` : ''}${p.why}`).join('; ');
    if (Date.now() >= deadline) {
      process.stderr.write(`ringctl: ${watcher} not ready within ${budgetS}s (${last})\n`);
      return EXIT.timeout;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function checkHost(inv: Inventory, watcher: string | undefined): { level: Level; text: string; perf: Record<string, number> } {
  const ws = watcher ? inv.watchers.filter((w) => w.name.toLowerCase() === watcher.toLowerCase()) : inv.watchers;
  if (watcher && ws.length === 0) return { level: 'CRITICAL', text: `no watcher ${watcher}`, perf: {} };
  const procs = ws.flatMap((w) => w.processes);
  const count = (s: string) => procs.filter((p) => p.state === s).length;
  const perf = { watchers: ws.length, processes: procs.length, running: count('running'), backoff: count('backoff'), fatal: count('fatal') };
  const down = ws.filter((w) => w.state === 'stopped' || w.state === 'fatal' || (w.numprocesses > 0 && !w.processes.some((p) => p.state === 'running')));
  const wanted = ws.reduce((n, w) => n + w.numprocesses, 0);
  if (down.length) return { level: 'CRITICAL', text: `${down.map((w) => `${w.name} ${w.state}`).join(', ')}; ${perf.running}/${wanted} running`, perf };
  if (perf.fatal > 0 || perf.running < wanted) return { level: 'WARNING', text: `${perf.running}/${wanted} processes running (${perf.backoff} in backoff, ${perf.fatal} fatal)`, perf };
  return { level: 'OK', text: `${ws.length} watcher(s), ${perf.running}/${wanted} processes running`, perf };
}

async function check(watcher: string | undefined, f: GlobalFlags): Promise<number> {
  const worst = (a: Level, b: Level): Level => (NAGIOS[a] >= NAGIOS[b] ? a : b);
  let level: Level = 'OK';
  const parts: string[] = [];
  const perf: Record<string, number> = {};
  try {
    for (const i of await inventories(f)) {
      const r = i.inventory ? checkHost(i.inventory, watcher) : { level: 'CRITICAL' as Level, text: i.problem ?? 'no answer', perf: {} };
      level = worst(level, r.level);
      parts.push(`${i.host ? `${i.host}: ` : ''}${r.text}`);
      for (const [k, v] of Object.entries(r.perf)) perf[k] = (perf[k] ?? 0) + v;
    }
  } catch (err) {
    process.stdout.write(`RINGMASTER UNKNOWN - ${(err as Error).message}\n`);
    return NAGIOS.UNKNOWN;
  }
  const perfdata = Object.entries(perf).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`RINGMASTER ${level} - ${parts.join('; ')}${perfdata ? ` | ${perfdata}` : ''}\n`);
  return NAGIOS[level];
}

export function addOperatorCommands(program: Command, exit: (code: number) => void): void {
  const fleetOptions = (c: Command) => c
    .option('--host <names>', 'fleet: these agents (names or globs, comma-separated)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--label <key=value>', 'fleet: agents with this label (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--all', 'fleet: every agent');
  const fail = (err: unknown) => {
    const e = err instanceof CtlError ? err : new CtlError('error', (err as Error).message);
    process.stderr.write(`ringctl: ${e.message}\n`);
    exit(EXIT[e.outcome]);
  };
  fleetOptions(addOutputOptions(program.command('wait')).summary('Wait until a watcher is ready').argument('<watcher>')
    .requiredOption('--ready', 'until every process of the watcher is running (on every targeted host)')
    .description(`Blocks until WATCHER is active with all its processes running, on the agent or every targeted host; exit 4 when --timeout (default ${WAIT_DEFAULT_S}s here) passes first.`))
    .action(async (watcher: string, _o: unknown, self: Command) => {
      const g = self.optsWithGlobals() as GlobalFlags;
      const given = self.opts().timeout !== undefined || program.getOptionValueSource('timeout') !== 'default';
      const budget = given ? g.timeout : WAIT_DEFAULT_S;
      await waitReady(watcher, { ...g, timeout: Math.min(g.timeout, budget) }, budget).then(exit, fail);
    });
  fleetOptions(addOutputOptions(program.command('logs')).summary('Show (and follow) the output of a watcher').argument('<watcher>')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'recent lines to show first', (v: string) => Number(v), 50))
    .action(async (watcher: string, _o: unknown, self: Command) => {
      await logs(watcher, self.optsWithGlobals() as LogsFlags).then(() => exit(EXIT.ok), fail);
    });
  fleetOptions(addOutputOptions(program.command('check')).summary('Nagios/Icinga check of an agent, a host or a watcher').argument('[watcher]')
    .description('Prints one line "RINGMASTER OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata" and exits 0, 1, 2 or 3 (the plugin convention).'))
    .action(async (watcher: string | undefined, _o: unknown, self: Command) => {
      exit(await check(watcher, self.optsWithGlobals() as GlobalFlags));
    });
}
