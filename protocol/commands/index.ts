/** The command catalogue: every command the agent serves, in one list. Nothing else lists commands. */
import type { CommandDef, PropsSpec } from './define.ts';
import add from './add.ts';
import decr from './decr.ts';
import discovery from './discovery.ts';
import dstats from './dstats.ts';
import get from './get.ts';
import globaloptions from './globaloptions.ts';
import health from './health.ts';
import incr from './incr.ts';
import inventory from './inventory.ts';
import kill from './kill.ts';
import list from './list.ts';
import listen from './listen.ts';
import listsockets from './listsockets.ts';
import numprocesses from './numprocesses.ts';
import numwatchers from './numwatchers.ts';
import options from './options.ts';
import plan from './plan.ts';
import quit from './quit.ts';
import reload from './reload.ts';
import reloadconfig from './reloadconfig.ts';
import reopen from './reopen.ts';
import restart from './restart.ts';
import rm from './rm.ts';
import set from './set.ts';
import signal from './signal.ts';
import start from './start.ts';
import stats from './stats.ts';
import status from './status.ts';
import stop from './stop.ts';
import tail from './tail.ts';

export const COMMANDS: readonly CommandDef<PropsSpec>[] = [
  add, decr, dstats, get, globaloptions, incr, kill, list, listen, listsockets, numprocesses, numwatchers, options,
  quit, reload, reloadconfig, restart, rm, set, signal, start, stats, status, stop,
  discovery, health, inventory, plan, reopen, tail,
] as unknown as CommandDef<PropsSpec>[];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** Case-insensitive lookup, as Circus does. */
export function findCommand(name: string): CommandDef<PropsSpec> | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export { defineCommand, parseProps, parseSignalProp, p, tooDeep, MAX_PROPERTY_DEPTH } from './define.ts';
export type { CommandDef, PropsSpec, PropSpec, PropsOf, Payload, PropKind, Completion } from './define.ts';
