/**
 * The ringctl program, built with commander from the command catalogue (and the controller's own
 * fleet commands): one subcommand per command, its positional arguments and `--<property>`
 * options typed by the catalogue, plus the global target options. Nothing lists the commands twice.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { COMMANDS } from '../protocol/commands/index.ts';
import type { PropsSpec } from '../protocol/commands/define.ts';
import { CONTROLLER_COMMANDS, ROLLOUT_PROPERTIES } from '../protocol/fleet/commands.ts';
import { VERSION } from '../agent/version.ts';
import { argumentsUsage, toProperties, type ArgSpec } from './args.ts';
import { CtlError, EXIT } from './errors.ts';
import { listen } from './listen.ts';
import { emit, runCommand, type GlobalFlags } from './run.ts';

export const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

export interface CommandEntry extends ArgSpec {
  summary: string;
  help: string;
  examples: string[];
  mutates: boolean;
  /** Served by the controllers only. */
  fleetOnly: boolean;
}

/** Every command ringctl sends: the catalogue's, then the controller's own. */
export function commandEntries(): CommandEntry[] {
  const catalogue = COMMANDS.map((c): CommandEntry => ({
    name: c.name, summary: c.summary, help: c.help, examples: c.examples, properties: c.properties, positional: c.positional,
    mutates: c.mutates, fleetOnly: false,
  }));
  const own: CommandEntry[] = [
    { name: 'hosts', properties: {}, positional: [], examples: ['ringctl --nats nats://10.0.0.9:4222 hosts', 'ringctl hosts --label role=web'], help: '', fleetOnly: true, ...CONTROLLER_COMMANDS.hosts },
    {
      name: 'rollout', properties: ROLLOUT_PROPERTIES as unknown as PropsSpec, positional: ['action', 'name'], help: '', fleetOnly: true,
      examples: ['ringctl rollout reload web --label role=web --max_parallel 2', 'ringctl rollout restart api --all --pause_ms 10000'], ...CONTROLLER_COMMANDS.rollout,
    },
  ];
  return [...catalogue, ...own];
}

function addPropertyOptions(cmd: Command, def: ArgSpec): void {
  for (const [key, spec] of Object.entries(def.properties)) {
    if (key === 'waiting') continue; // --wait, for every command
    const desc = spec.description + (spec.choices ? ` (${spec.choices.join(', ')})` : '');
    if (spec.kind === 'boolean') {
      cmd.addOption(new Option(`--${key}`, desc));
      cmd.addOption(new Option(`--no-${key}`, `not ${key}`).hideHelp());
    } else if (spec.kind === 'strings') {
      cmd.addOption(new Option(`--${key} <value...>`, desc));
    } else {
      const o = new Option(`--${key} <value>`, desc);
      if (spec.choices) o.choices([...spec.choices]);
      cmd.addOption(o);
    }
  }
}

/** --json and --timeout are also accepted after the command (`ringctl status web --json`). */
export function addOutputOptions(cmd: Command): Command {
  return cmd.addOption(new Option('--json', 'print one JSON document').hideHelp()).addOption(new Option('--timeout <seconds>', 'reply timeout').argParser(seconds).hideHelp());
}

function addCommand(program: Command, def: CommandEntry, run: (name: string, props: Record<string, unknown>, g: GlobalFlags, fleetOnly: boolean) => Promise<void>): void {
  const usage = argumentsUsage(def);
  const cmd = program.command(def.name).summary(def.summary).description(`${def.summary}.${def.help ? `\n\n${def.help}` : ''}`)
    .usage(`${usage ? `${usage} ` : ''}[options]`).argument('[args...]').allowExcessArguments(false);
  addPropertyOptions(cmd, def);
  cmd.option('--host <names>', 'fleet: these agents (names or globs, comma-separated; repeatable)', collect)
    .option('--label <key=value>', 'fleet: agents with this label (repeatable: all must match)', collect)
    .option('--all', 'fleet: every agent')
    .option('--wait', 'wait until the command has taken effect (sends waiting=true)')
    .addOption(new Option('--waiting', 'circusctl\'s spelling of --wait').hideHelp());
  addOutputOptions(cmd);
  if ('graceful' in def.properties) cmd.addOption(new Option('--terminate', 'circusctl\'s spelling of --no-graceful').hideHelp());
  if (def.examples.length) cmd.addHelpText('after', `\nExamples:\n${def.examples.map((e) => `  ${e}`).join('\n')}`);
  cmd.action(async (args: string[], _opts: Record<string, unknown>, self: Command) => {
    const all = self.optsWithGlobals() as GlobalFlags & Record<string, unknown>;
    if (all.waiting) all.wait = true;
    if (all.terminate) all.graceful = false;
    const own = Object.fromEntries(Object.keys(def.properties).filter((k) => k !== 'waiting').map((k) => [k, all[k]]));
    await run(def.name, toProperties(def, args, own), all, def.fleetOnly);
  });
}

/** Runs one command of the program (the TUI's command line passes its own, to show the result on screen). */
export type CommandRunner = (name: string, props: Record<string, unknown>, g: GlobalFlags, fleetOnly: boolean) => Promise<void>;

/** The whole program; `out` receives exit codes (the CLI exits with them, the shell keeps going). */
export function buildProgram(onExit: (code: number) => void, runner?: CommandRunner): Command {
  const program = new Command('ringctl')
    .description('Operate Ringmaster: one agent (ZeroMQ, like circusctl) or the whole fleet (NATS, through ringmaster).')
    .version(`ringctl ${VERSION}`, '-V, --version')
    .option('-e, --endpoint <url>', 'one ringd\'s control endpoint (default tcp://127.0.0.1:5555, or $CIRCUSCTL_ENDPOINT)')
    .option('--nats <urls>', 'the fleet\'s NATS servers, comma-separated (or $RING_NATS, or a context file)')
    .option('--context <file>', 'context file with [nats] (default ~/.config/ringmaster/ctl.toml, then /etc/ringmaster/ctl.toml)')
    .option('--curve-server-key <z85>', 'ringd\'s public CURVE key, when its endpoints use CURVE')
    .option('--timeout <seconds>', 'how long to wait for a reply (per host in fleet mode)', seconds, 5)
    .option('--json', 'print one JSON document (errors included) and nothing else on stdout')
    .enablePositionalOptions() // global options go before the command, so commands may have options of their own
    .showHelpAfterError('(run ringctl --help, or ringctl COMMAND --help)')
    .configureHelp({ subcommandTerm: (c) => `${c.name()} ${c.usage()}` })
    .exitOverride();
  const run = async (name: string, props: Record<string, unknown>, g: GlobalFlags, fleetOnly: boolean) => {
    if (name === 'listen') {
      // Client-side in Circus too: it subscribes to the event stream instead of sending a request.
      return listen((props.topics as string[] | undefined) ?? [], g).then(() => onExit(0), (err: unknown) => {
        const e = err instanceof CtlError ? err : new CtlError('error', (err as Error).message);
        process.stderr.write(`ringctl: ${e.message}\n`);
        onExit(EXIT[e.outcome]);
      });
    }
    onExit(emit(await runCommand(name, props, g, { fleetOnly }), g));
  };
  for (const def of commandEntries()) addCommand(program, def, runner ?? run);
  return program;
}
