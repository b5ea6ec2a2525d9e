/**
 * Command-line arguments → command properties, from the catalogue's definitions alone:
 * positional arguments in the definition's order (optional ones in the middle are filled only
 * when there are enough arguments, as circusctl does: `signal NAME [PID] SIGNUM`), a final list
 * property takes the rest (`get NAME KEY…`), a required object property not given as an option
 * takes KEY VALUE pairs (`set NAME numprocesses 3`), and every property is also an option
 * `--<property>` (booleans as flags, with `--no-<property>`).
 */
import type { PropSpec, PropsSpec } from '../protocol/commands/define.ts';

export class UsageError extends Error {}

export interface ArgSpec {
  name: string;
  properties: PropsSpec;
  positional: string[];
}

/** The property that takes KEY VALUE pairs, if any. */
export function pairsProperty(def: ArgSpec): string | undefined {
  return Object.entries(def.properties).find(([k, p]) => p.kind === 'object' && p.required && !def.positional.includes(k))?.[0];
}

/** A CLI string as the property's JSON value (JSON where it parses as such for objects). */
function fromText(spec: PropSpec<unknown>, key: string, text: string): unknown {
  if (spec.kind === 'object') {
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`--${key}: expected a JSON object, got ${text}`);
    }
  }
  return text; // the catalogue's parsers accept numbers, booleans and signals as strings
}

/** A value in KEY VALUE pairs: JSON when it parses (3, true, ["a"]), else the string. */
function pairValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Properties from positional `args` and parsed `options` (option values are strings, booleans or
 * string lists, keyed by property name). Throws UsageError naming what is wrong.
 */
export function toProperties(def: ArgSpec, args: string[], options: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const pos = def.positional.filter((k) => options[k] === undefined);
  const pairs = pairsProperty(def);
  const last = pos[pos.length - 1];
  const variadic = last !== undefined && def.properties[last].kind === 'strings' ? last : undefined;
  const fixed = variadic ? pos.slice(0, -1) : pos;
  const requiredLeft = (from: number) => fixed.slice(from).filter((k) => def.properties[k].required).length;
  let i = 0;
  for (const [n, key] of fixed.entries()) {
    if (i >= args.length) break;
    const spare = args.length - i - (variadic && def.properties[variadic].required ? 1 : 0);
    if (!def.properties[key].required && spare <= requiredLeft(n + 1) && !(pairs || variadic)) continue;
    props[key] = args[i++];
  }
  if (variadic && i < args.length) {
    props[variadic] = args.slice(i);
    i = args.length;
  }
  if (pairs && options[pairs] === undefined && i < args.length) {
    const rest = args.slice(i);
    if (rest.length % 2 !== 0) throw new UsageError(`${def.name}: ${pairs} are KEY VALUE pairs; "${rest[rest.length - 1]}" has no value`);
    props[pairs] = Object.fromEntries(Array.from({ length: rest.length / 2 }, (_, j) => [rest[2 * j], pairValue(rest[2 * j + 1])]));
    i = args.length;
  }
  if (i < args.length) throw new UsageError(`${def.name}: unexpected argument${args.length - i > 1 ? 's' : ''} ${args.slice(i).join(' ')}`);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || !(key in def.properties)) continue;
    const spec = def.properties[key];
    props[key] = typeof value === 'string' ? fromText(spec, key, value) : value;
  }
  const missing = Object.entries(def.properties).filter(([k, p]) => p.required && props[k] === undefined).map(([k]) => k);
  if (missing.length) throw new UsageError(`${def.name}: missing ${missing.map((k) => (def.positional.includes(k) ? k.toUpperCase() : `--${k}`)).join(', ')}`);
  return props;
}

/** The usage line's arguments, e.g. "NAME [PID] SIGNUM" or "NAME KEY...". */
export function argumentsUsage(def: ArgSpec): string {
  const parts = def.positional.map((k) => {
    const p = def.properties[k];
    const word = p.kind === 'strings' ? `${k.toUpperCase()}...` : k.toUpperCase();
    return p.required ? word : `[${word}]`;
  });
  const pairs = pairsProperty(def);
  if (pairs) parts.push('KEY VALUE [KEY VALUE...]');
  return parts.join(' ');
}
