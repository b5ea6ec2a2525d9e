/**
 * Completion candidates for a ringctl command line, from its spec (commands, options, choices, and
 * what each catalogue property completes to — see spec.ts): shared by the bash and zsh scripts
 * (through `ringctl __complete`), the interactive shell and the TUI's command line. Loads nothing
 * heavy, so that a TAB answered from the built spec costs little more than starting node.
 */
import type { Command } from 'commander';
import type { ArgSpec } from '../args.ts';
import { fileNames, signalNames } from './sources.ts';
import type { CliSpec, EntrySpec, NodeSpec, OptionSpec, ValueSpec } from './spec.ts';

/** Names only a running target knows. */
export type LiveKind = 'watcher' | 'host' | 'label';

/** The global options that choose the target, as commander names them. */
export interface TargetFlags {
  endpoint?: string;
  nats?: string;
  context?: string;
  curveServerKey?: string;
}

export interface CompletionContext {
  /** The command line as plain data (spec.ts); or else made from `program` and `entries`. */
  spec?: CliSpec;
  /** The program as commander parses it: commands, options and their choices. */
  program?: Command;
  /** The catalogue's commands: positional arguments and the properties behind them. */
  entries?: readonly ArgSpec[];
  /** Words the program does not know that are commands here (the shell's exit, quit). */
  builtins?: readonly string[];
  /** The target when the line names none (the shell's own). */
  flags?: TargetFlags;
  /** Live names from the target the flags choose; never throws. */
  names(kind: LiveKind, flags: TargetFlags): Promise<string[]>;
}

const TARGET_FLAGS: readonly string[] = ['endpoint', 'nats', 'context', 'curveServerKey'];
/** Placeholders of options and arguments that take a path. */
const PATH_VALUE = /^(file|path|dir|base)$/;

/** What the words before the cursor say. */
interface State {
  root: NodeSpec;
  optionKeys: string[];
  node: NodeSpec;
  operands: string[];
  /** Properties of a catalogue command given as options. */
  given: Set<string>;
  flags: TargetFlags;
  /** The option whose value the next word is. */
  expecting?: OptionSpec;
  dashdash: boolean;
  /** After `help`: the next word is a command. */
  help: boolean;
  /** After a word that is no command: nothing to complete. */
  unknown: boolean;
}

const takesValue = (o: OptionSpec): boolean => o.value !== 'none';
/** Whether `word` is a value of `o` (an option-like word ends a variadic or optional value instead). */
const isValueOf = (o: OptionSpec | undefined, word: string): o is OptionSpec => !!o && !((o.variadic || o.value === 'optional') && word.startsWith('-'));

function findOption(s: State, flag: string): OptionSpec | undefined {
  const match = (o: OptionSpec) => o.long === flag || o.short === flag;
  return s.node.options.find(match) ?? (s.node === s.root ? undefined : s.root.options.find(match));
}

/** Records an option (and its value) given before the cursor. */
function note(s: State, o: OptionSpec, value?: string): void {
  if (value !== undefined && TARGET_FLAGS.includes(o.attr) && s.root.options.includes(o)) s.flags = { ...s.flags, [o.attr]: value };
  if (o.long) s.given.add(o.long.replace(/^--(no-)?/, ''));
}

function operand(s: State, word: string): void {
  if (s.node.commands.length && !s.help) {
    const sub = s.node.commands.find((c) => c.name === word || c.aliases.includes(word));
    if (sub) Object.assign(s, { node: sub, operands: [], given: new Set() });
    else if (word === 'help') s.help = true;
    else s.unknown = true;
    return;
  }
  s.operands.push(word);
}

function walk(words: string[], cword: number, ctx: CompletionContext, spec: CliSpec): State {
  const s: State = { root: spec.root, optionKeys: spec.optionKeys, node: spec.root, operands: [], given: new Set(), flags: { ...ctx.flags }, dashdash: false, help: false, unknown: false };
  for (let i = 1; i < cword && !s.unknown; i++) {
    const w = words[i];
    const o = s.expecting;
    if (isValueOf(o, w)) {
      note(s, o, w);
      if (!o.variadic) s.expecting = undefined;
      continue;
    }
    s.expecting = undefined;
    if (s.dashdash || !/^-./.test(w)) {
      operand(s, w);
    } else if (w === '--') {
      s.dashdash = true;
    } else {
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const opt = findOption(s, eq > 0 ? w.slice(0, eq) : w);
      if (opt) note(s, opt, eq > 0 ? w.slice(eq + 1) : undefined);
      if (opt && eq < 0 && takesValue(opt)) s.expecting = opt;
    }
  }
  return s;
}

/** The keys of KEY VALUE pairs. */
const PAIR_KEY: ValueSpec = { kind: 'string', complete: 'option' };

/** What the k-th positional argument may be, as toProperties fills them (optional ones skipped when arguments are short). */
function positionalSpecs(def: EntrySpec, given: Set<string>, k: number): ValueSpec[] {
  const pos = def.positional.filter((p) => !given.has(p));
  const pairs = def.pairs;
  const last = pos[pos.length - 1];
  const variadic = last !== undefined && def.properties[last].kind === 'strings' ? last : undefined;
  const fixed = variadic ? pos.slice(0, -1) : pos;
  if (pairs || variadic) {
    if (k < fixed.length) return [def.properties[fixed[k]]];
    if (variadic) return [def.properties[variadic]];
    return !given.has(pairs!) && (k - fixed.length) % 2 === 0 ? [PAIR_KEY] : [];
  }
  const requiredBefore = (j: number) => fixed.slice(0, j).filter((p) => def.properties[p].required).length;
  return fixed.filter((_, j) => requiredBefore(j) <= k && k <= j).map((p) => def.properties[p]);
}

async function propertyValues(spec: ValueSpec | undefined, s: State, ctx: CompletionContext, word: string): Promise<string[]> {
  if (!spec) return [];
  if (spec.choices) return [...spec.choices];
  if (spec.complete === 'watcher') return ctx.names('watcher', s.flags);
  if (spec.complete === 'signal') return signalNames(word);
  if (spec.complete === 'option') return s.optionKeys;
  return spec.kind === 'boolean' ? ['true', 'false'] : [];
}

async function optionValues(o: OptionSpec, s: State, ctx: CompletionContext, word: string): Promise<string[]> {
  if (o.choices) return [...o.choices];
  if (o.long === '--host') {
    const head = word.slice(0, word.lastIndexOf(',') + 1);
    return (await ctx.names('host', s.flags)).map((h) => `${head}${h}`);
  }
  if (o.long === '--label') return ctx.names('label', s.flags);
  if (PATH_VALUE.test(o.placeholder)) return fileNames(word);
  const def = s.node.entry;
  return o.long && def ? propertyValues(def.properties[o.long.slice(2)], s, ctx, word) : [];
}

function optionNames(s: State, word: string): string[] {
  const own = s.node.visibleFlags.filter((f) => f.startsWith(word));
  if (own.length || s.node === s.root) return own;
  return s.root.visibleFlags.filter((f) => f !== '--help' && f !== '--version');
}

function commandNames(s: State, ctx: CompletionContext, node: NodeSpec): string[] {
  const names = node.visibleCommands;
  return node === s.root ? [...names, ...(ctx.builtins ?? [])] : names;
}

async function operandValues(s: State, ctx: CompletionContext, word: string): Promise<string[]> {
  if (s.help) return s.operands.length ? [] : commandNames(s, ctx, s.node);
  if (s.node.commands.length) return commandNames(s, ctx, s.node);
  const k = s.operands.length;
  const def = s.node.entry;
  if (def) {
    return (await Promise.all(positionalSpecs(def, s.given, k).map((spec) => propertyValues(spec, s, ctx, word)))).flat();
  }
  const args = s.node.args;
  const arg = k < args.length ? args[k] : args[args.length - 1]?.variadic ? args[args.length - 1] : undefined;
  if (!arg) return [];
  return arg.choices ? [...arg.choices] : PATH_VALUE.test(arg.name) ? fileNames(word) : [];
}

const made = new WeakMap<Command, CliSpec>();

/** The context's spec, made from its program (once per program) when it has none. */
async function specFor(ctx: CompletionContext): Promise<CliSpec> {
  if (ctx.spec) return ctx.spec;
  if (!ctx.program) throw new Error('completion needs a spec or a program');
  let spec = made.get(ctx.program);
  if (!spec) {
    const { specOf } = await import('./spec.ts');
    spec = specOf(ctx.program, ctx.entries ?? []);
    made.set(ctx.program, spec);
  }
  return spec;
}

async function values(s: State, ctx: CompletionContext, word: string): Promise<string[]> {
  if (s.unknown) return [];
  if (isValueOf(s.expecting, word)) return optionValues(s.expecting, s, ctx, word);
  if (s.dashdash || !word.startsWith('-')) return operandValues(s, ctx, word);
  const eq = word.startsWith('--') ? word.indexOf('=') : -1;
  if (eq < 0) return optionNames(s, word);
  const o = findOption(s, word.slice(0, eq));
  if (!o || !takesValue(o)) return [];
  return (await optionValues(o, s, ctx, word.slice(eq + 1))).map((v) => `${word.slice(0, eq + 1)}${v}`);
}

/** The words that may stand at `cword` (sorted, starting like the word there); `words[0]` is the program. */
export async function candidates(words: string[], cword: number, ctx: CompletionContext): Promise<string[]> {
  const word = words[cword] ?? '';
  const found = await values(walk(words, cword, ctx, await specFor(ctx)), ctx, word);
  return [...new Set(found.filter((c) => c.startsWith(word)))].sort();
}
