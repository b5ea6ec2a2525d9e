/**
 * What completion needs to know about ringctl's command line, as plain JSON: commands, options,
 * choices and what each catalogue property completes to. Made from the commander program once
 * (`specOf`); `npm run build` also saves it next to the built code so that a TAB can be answered
 * without loading commander, the catalogue or any transport (ctl/completion/fast.ts).
 */
import type { Command, Option } from 'commander';
import { pairsProperty, type ArgSpec } from '../args.ts';
import type { Completion, PropKind } from '../../protocol/commands/define.ts';
import { RLIMIT_NAMES, WATCHER_OPTIONS, WATCHER_TABLES } from '../../agent/config/schema.ts';

export interface OptionSpec {
  long?: string;
  short?: string;
  /** Commander's attribute name (`--curve-server-key` → curveServerKey). */
  attr: string;
  /** Whether the option takes a value: not at all, always, or when one follows. */
  value: 'none' | 'required' | 'optional';
  variadic: boolean;
  choices?: string[];
  /** The name in its <placeholder>: `file`, `path`… tell that the value is a path. */
  placeholder: string;
}

/** How a catalogue property's value completes. */
export interface ValueSpec {
  kind: PropKind;
  required?: boolean;
  choices?: readonly string[];
  complete: Completion;
}

/** A catalogue command's positional arguments and properties, as toProperties fills them. */
export interface EntrySpec {
  positional: string[];
  properties: Record<string, ValueSpec>;
  /** The property that takes KEY VALUE pairs (`set web KEY VALUE…`), if any. */
  pairs?: string;
}

export interface NodeSpec {
  name: string;
  aliases: string[];
  options: OptionSpec[];
  /** Long flags `--help` lists (help and version included, hidden ones left out). */
  visibleFlags: string[];
  commands: NodeSpec[];
  /** Names of the subcommands `--help` lists (`help` included, the hidden `__complete` left out). */
  visibleCommands: string[];
  args: { name: string; variadic: boolean; choices?: string[] }[];
  entry?: EntrySpec;
}

export interface CliSpec {
  root: NodeSpec;
  /** Watcher option keys (`get`, `set`), from the config schema. */
  optionKeys: string[];
}

function optionSpec(o: Option): OptionSpec {
  return {
    long: o.long, short: o.short, attr: o.attributeName(), variadic: o.variadic,
    value: o.required ? 'required' : o.optional ? 'optional' : 'none',
    choices: o.argChoices ? [...o.argChoices] : undefined,
    placeholder: /[<[]([\w-]+)/.exec(o.flags)?.[1] ?? '',
  };
}

function entrySpec(def: ArgSpec): EntrySpec {
  const properties = Object.fromEntries(Object.entries(def.properties).map(([k, p]) => [k, { kind: p.kind, required: p.required, choices: p.choices, complete: p.complete }]));
  return { positional: [...def.positional], properties, pairs: pairsProperty(def) };
}

function nodeSpec(c: Command, help: ReturnType<Command['createHelp']>, entries: readonly ArgSpec[], top: boolean): NodeSpec {
  const def = top ? entries.find((e) => e.name === c.name()) : undefined;
  return {
    name: c.name(), aliases: c.aliases(), visibleCommands: help.visibleCommands(c).map((sub) => sub.name()),
    options: c.options.map(optionSpec),
    visibleFlags: help.visibleOptions(c).flatMap((o) => (o.long ? [o.long] : [])),
    commands: c.commands.map((sub) => nodeSpec(sub, help, entries, c.parent === null)),
    args: c.registeredArguments.map((a) => ({ name: a.name(), variadic: a.variadic, choices: a.argChoices ? [...a.argChoices] : undefined })),
    entry: def && entrySpec(def),
  };
}

/** Option keys of a watcher (`get`, `set`): the [watchers.NAME] keys, rlimit_<name> spelled out. */
function optionKeys(): string[] {
  const tables = WATCHER_TABLES.flatMap((t) => (t.key === 'rlimit_<name>' ? RLIMIT_NAMES.map((r) => `rlimit_${r}`) : [t.key]));
  return [...WATCHER_OPTIONS.map((o) => o.key), ...tables];
}

/** The completion spec of `program`, whose subcommands named like catalogue `entries` take their properties. */
export function specOf(program: Command, entries: readonly ArgSpec[]): CliSpec {
  return { root: nodeSpec(program, program.createHelp(), entries, false), optionKeys: optionKeys() };
}
