/** Circus-style variable substitution: `$(circus.NAME)`, `((ring.NAME))`, and `$UPPER` in env values. */

/** `$(circus.x)`, `$(ring.x)`, `((circus.x))`, `((ring.x))`; prefix and name are case-insensitive. */
import { quoteWord } from './shlex.ts';
const VARIABLE = /\$\((?:circus|ring)\.([A-Za-z0-9_.+-]+)\)|\(\((?:circus|ring)\.([A-Za-z0-9_.+-]+)\)\)/gi;

/** `$NAME` or `${NAME}` with NAME upper-case, as Circus expands in `[env]` values. */
const ENV_TOKEN = /\$(?:\{([A-Z][A-Z0-9_]*)\}|([A-Z][A-Z0-9_]*))/g;

/** The lookup key for a variable name: lower-cased, except what follows `env.` which keeps its case. */
export function normalizeVariableName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith('env.') ? `env.${name.slice(4)}` : lower;
}

/**
 * Replace every `$(circus.NAME)`/`$(ring.NAME)`/`((circus.NAME))`/`((ring.NAME))` in `text` by
 * `lookup(NAME)` (NAME normalised by {@link normalizeVariableName}). Variables for which lookup
 * returns undefined are left untouched, so a later pass (e.g. at spawn time) can fill them in.
 */
export function substitute(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(VARIABLE, (match: string, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    const value = lookup(normalizeVariableName(name));
    return value === undefined ? match : value;
  });
}

/**
 * substitute() for text that /bin/sh -c runs (hook commands, a command ready_check): every value goes in as one
 * quoted word, so no substituted value (an env value, a name) is ever read as shell syntax.
 */
export function substituteForShell(text: string, lookup: (name: string) => string | undefined): string {
  return substitute(text, (name) => {
    const value = lookup(name);
    return value === undefined ? undefined : quoteWord(value);
  });
}

/** A lookup that answers only `env.NAME`, from the given environments in order (first defined wins). */
export function envLookup(...envs: ReadonlyArray<Readonly<Record<string, string | undefined>>>): (name: string) => string | undefined {
  return (name) => {
    if (!name.startsWith('env.')) return undefined;
    const key = name.slice(4);
    for (const env of envs) {
      if (Object.hasOwn(env, key) && env[key] !== undefined) return env[key];
    }
    return undefined;
  };
}

/**
 * Expand `$NAME` and `${NAME}` (NAME matching `[A-Z][A-Z0-9_]*`) from `env`, so `PATH = "$PATH:/opt/bin"`
 * works. Names not present in `env` are left untouched; lower-case `$name` is never expanded.
 */
export function expandEnvTokens(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(ENV_TOKEN, (match: string, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    return value === undefined ? match : value;
  });
}

/** Apply {@link substitute} to every string inside a TOML value (tables and arrays walked recursively). */
export function substituteDeep(value: unknown, lookup: (name: string) => string | undefined): unknown {
  if (typeof value === 'string') return substitute(value, lookup);
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, lookup));
  if (isPlainTable(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, lookup)]));
  }
  return value;
}

/** True for a TOML table (a plain or null-prototype object), false for arrays, dates and primitives. */
export function isPlainTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
