/**
 * How a command is defined: typed properties with validation, whether it mutates or runs
 * asynchronously (`waiting`), help text and examples, and the code that runs it against the
 * agent. One definition serves the ZeroMQ and NATS transports, the CLI, completion and docs.
 */
import { constants } from 'node:os';
import { CommandError } from '../errors.ts';
import type { AgentApi } from '../agent-api.ts';

export type PropKind = 'string' | 'integer' | 'number' | 'boolean' | 'signal' | 'strings' | 'object' | 'choice';
/** What a CLI can complete a property's value with. */
export type Completion = 'watcher' | 'signal' | 'option' | 'none';

export interface PropSpec<T> {
  kind: PropKind;
  required: boolean;
  description: string;
  choices?: readonly string[];
  complete: Completion;
  /** Returns the parsed value, or throws CommandError naming what is wrong. */
  parse(name: string, raw: unknown): T;
}

type Opts = { description: string; complete?: Completion };

/** Objects nested deeper than this are refused before anything recursive touches them. */
export const MAX_PROPERTY_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `limit` levels, checked without recursion. */
export function tooDeep(value: unknown, limit: number = MAX_PROPERTY_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A value for an error message: short JSON, or its kind when it is too deep or too long to show. */
function shown(raw: unknown): string {
  if (tooDeep(raw, 4)) return Array.isArray(raw) ? 'a deeply nested array' : 'a deeply nested object';
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const fail = (name: string, what: string, raw: unknown): never => {
  throw new CommandError(`property '${name}' must be ${what}, got ${shown(raw)}`);
};

function spec<T>(kind: PropKind, o: Opts, parse: (name: string, raw: unknown) => T, extra: Partial<PropSpec<T>> = {}) {
  const base = { kind, description: o.description, complete: o.complete ?? 'none', parse, ...extra };
  return {
    optional: { ...base, required: false } as PropSpec<T | undefined>,
    required: { ...base, required: true } as PropSpec<T>,
  };
}

export const p = {
  string: (o: Opts) => spec('string', o, (n, r) => (typeof r === 'string' ? r : fail(n, 'a string', r))),
  integer: (o: Opts & { min?: number }) => spec('integer', o, (n, r) => {
    const v = typeof r === 'string' && /^-?\d+$/.test(r) ? Number(r) : r;
    return Number.isInteger(v) && (o.min === undefined || (v as number) >= o.min)
      ? (v as number) : fail(n, `an integer${o.min !== undefined ? ` ≥ ${o.min}` : ''}`, r);
  }),
  number: (o: Opts & { min?: number }) => spec('number', o, (n, r) => {
    const v = typeof r === 'string' && r.trim() !== '' ? Number(r) : r;
    return typeof v === 'number' && Number.isFinite(v) && (o.min === undefined || v >= o.min)
      ? v : fail(n, `a number${o.min !== undefined ? ` ≥ ${o.min}` : ''}`, r);
  }),
  boolean: (o: Opts) => spec('boolean', o, (n, r) => {
    if (typeof r === 'boolean') return r;
    if (r === 'true' || r === 1) return true;
    if (r === 'false' || r === 0) return false;
    return fail(n, 'true or false', r);
  }),
  signal: (o: Opts) => spec('signal', { complete: 'signal', ...o }, (n, r) => parseSignalProp(n, r)),
  strings: (o: Opts) => spec('strings', o, (n, r) =>
    Array.isArray(r) && r.every((x) => typeof x === 'string') ? (r as string[]) : fail(n, 'a list of strings', r)),
  object: (o: Opts) => spec('object', o, (n, r) =>
    r !== null && typeof r === 'object' && !Array.isArray(r) && !tooDeep(r)
      ? (r as Record<string, unknown>) : fail(n, `an object nested at most ${MAX_PROPERTY_DEPTH} levels`, r)),
  choice: <C extends string>(choices: readonly C[], o: Opts) => spec('choice', o, (n, r) =>
    typeof r === 'string' && (choices as readonly string[]).includes(r) ? (r as C) : fail(n, `one of ${choices.join(', ')}`, r),
  { choices }),
};

/** A signal by number (1–64) or name, with or without SIG, any case. */
export function parseSignalProp(name: string, raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 64) return raw;
  if (typeof raw === 'string') {
    if (/^\d+$/.test(raw)) return parseSignalProp(name, Number(raw));
    const upper = raw.toUpperCase();
    const key = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as keyof typeof constants.signals;
    const num = constants.signals[key];
    if (num !== undefined) return num;
  }
  throw new CommandError(`property '${name}' must be a signal name or number, got ${JSON.stringify(raw)}`);
}

export type PropsSpec = Record<string, PropSpec<unknown>>;
export type PropsOf<S extends PropsSpec> = { [K in keyof S]: S[K] extends PropSpec<infer T> ? T : never };
/** What a command's run() returns: keys merged into the `ok` reply. */
export type Payload = Record<string, unknown>;

export interface CommandDef<S extends PropsSpec = PropsSpec> {
  name: string;
  summary: string;
  /** Longer help: what it does, what the reply holds, how it differs from Circus. */
  help: string;
  /** CLI examples, e.g. `ringctl incr web 2 --waiting`. */
  examples: string[];
  properties: S;
  /** Positional CLI arguments, in order (property names). */
  positional: (keyof S & string)[];
  mutates: boolean;
  /** Supports `waiting`: without it the reply is sent at once and failures become events. */
  async: boolean;
  /** Not in Circus. */
  extension: boolean;
  run(api: AgentApi, props: PropsOf<S>): Promise<Payload> | Payload;
}

export function defineCommand<S extends PropsSpec>(def: CommandDef<S>): CommandDef<S> {
  return def;
}

/** Validates raw wire properties against a command's spec: unknown, missing and mistyped ones are errors. */
export function parseProps<S extends PropsSpec>(def: CommandDef<S>, raw: unknown): PropsOf<S> {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new CommandError(`'properties' must be an object`);
  const input = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!(key in def.properties)) {
      const known = Object.keys(def.properties);
      throw new CommandError(`unknown property '${key}' for command '${def.name}'${known.length ? ` (accepted: ${known.join(', ')})` : ''}`);
    }
  }
  for (const [key, prop] of Object.entries(def.properties)) {
    const value = input[key];
    if (value === undefined || value === null) {
      if (prop.required) throw new CommandError(`message invalid '${key}' is missing`);
      continue;
    }
    out[key] = prop.parse(key, value);
  }
  return out as PropsOf<S>;
}
