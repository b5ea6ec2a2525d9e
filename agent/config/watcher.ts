/** Validation of one [watchers.NAME] table (env, options, rlimits, hooks, streams) into a WatcherConfig. */
import { HOOK_NAMES } from '../../protocol/states.ts';
import { Issues, joinKey } from './issues.ts';
import { envValue, expected, Invalid, rlimit, show, type ParseContext } from './parsers.ts';
import {
  FILE_STREAM_CLASSES, HOOK_OPTIONS, RLIMIT_NAMES, STREAM_OPTIONS, WATCHER_OPTIONS, WATCHER_TABLES, applyOptions,
} from './schema.ts';
import { shellSplit } from './shlex.ts';
import { envLookup, expandEnvTokens, isPlainTable, substitute, substituteDeep, substituteForShell } from './substitute.ts';
import { userById } from './users.ts';
import type { HookConfig, StreamConfig, WatcherConfig } from './types.ts';

export const WATCHER_NAME = /^[A-Za-z0-9_.-]+$/;

/** Where a watcher table came from. */
export interface WatcherSource {
  name: string;
  /** File name as shown in messages. */
  file: string;
  /** Folder of that file. */
  dir: string;
  raw: unknown;
}

const RLIMIT_KEYS = RLIMIT_NAMES.map((n) => `rlimit_${n}`);
const KNOWN_KEYS = [...WATCHER_OPTIONS.map((o) => o.key), ...WATCHER_TABLES.map((t) => t.key).filter((k) => !k.includes('<')), ...RLIMIT_KEYS];

/**
 * Read an env table: values must be strings, numbers or booleans (converted to strings); `$NAME`
 * tokens are expanded from process.env. Problems are reported under `prefix.NAME`.
 */
export function readEnvTable(raw: unknown, file: string, prefix: string, issues: Issues): Record<string, string> {
  const env: Record<string, string> = {};
  if (raw === undefined) return env;
  if (!isPlainTable(raw)) {
    issues.add(file, prefix, expected('a table of environment variables', raw).message);
    return env;
  }
  for (const [name, value] of Object.entries(raw)) {
    const key = joinKey(prefix, name);
    if (name === '' || /[=\0]/.test(name)) {
      issues.add(file, key, 'invalid environment variable name (must be non-empty, without "=")');
    } else {
      const text = envValue.parse(value, { dir: '' });
      if (text instanceof Invalid) issues.add(file, key, text.message);
      else env[name] = expandEnvTokens(text, process.env);
    }
  }
  return env;
}

/** Substitute `$(circus.env.X)` in every value of `env`, looking X up in `env` itself, then the fallbacks. */
export function substituteEnv(env: Record<string, string>, ...fallbacks: Record<string, string | undefined>[]): Record<string, string> {
  const lookup = envLookup(env, ...fallbacks);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = substitute(v, lookup);
  return out;
}

/** One hook: a command string, or a table { cmd, timeout, ignore_failure }. */
function readHook(raw: unknown, ctx: ParseContext, prefix: string, issues: Issues, file: string): HookConfig | undefined {
  if (typeof raw !== 'string' && !isPlainTable(raw)) {
    issues.add(file, prefix, expected('a command string or a table { cmd, timeout, ignore_failure }', raw).message);
    return undefined;
  }
  const table = typeof raw === 'string' ? { cmd: raw } : raw;
  const keysOk = issues.checkKeys(file, prefix, table, HOOK_OPTIONS.map((o) => o.key));
  const out: Partial<HookConfig> = {};
  // The string form has no sub-keys: report its problems on the hook itself.
  const report = (key: string, msg: string): void => issues.add(file, typeof raw === 'string' ? prefix : joinKey(prefix, key), msg);
  const ok = applyOptions(HOOK_OPTIONS, table, ctx, out, report);
  return keysOk && ok ? (out as HookConfig) : undefined;
}

/** Whether a ready_check is a command (run by /bin/sh -c) rather than a tcp:// or http(s):// probe. */
export const isCommandCheck = (check: string): boolean => !/^(tcp|https?):\/\//i.test(check);

/** Hook commands and a command ready_check are shell text: values substituted into them are quoted (see substituteForShell). */
function quoteShellValues(raw: Record<string, unknown>, table: Record<string, unknown>, lookup: (name: string) => string | undefined): void {
  if (typeof raw.ready_check === 'string' && isCommandCheck(raw.ready_check)) table.ready_check = substituteForShell(raw.ready_check, lookup);
  if (!isPlainTable(raw.hooks) || !isPlainTable(table.hooks)) return;
  for (const [name, hook] of Object.entries(raw.hooks)) {
    if (typeof hook === 'string') table.hooks[name] = substituteForShell(hook, lookup);
    else if (isPlainTable(hook) && typeof hook.cmd === 'string' && isPlainTable(table.hooks[name])) {
      table.hooks[name] = { ...table.hooks[name], cmd: substituteForShell(hook.cmd, lookup) };
    }
  }
}

function readHooks(raw: unknown, ctx: ParseContext, prefix: string, issues: Issues, file: string): WatcherConfig['hooks'] | undefined {
  if (raw === undefined) return {};
  if (!isPlainTable(raw)) {
    issues.add(file, prefix, expected('a table of hooks', raw).message);
    return undefined;
  }
  const hooks: WatcherConfig['hooks'] = {};
  let ok = issues.checkKeys(file, prefix, raw, HOOK_NAMES, 'hook');
  for (const name of HOOK_NAMES) {
    if (raw[name] === undefined) continue;
    const hook = readHook(raw[name], ctx, joinKey(prefix, name), issues, file);
    if (hook) hooks[name] = hook;
    else ok = false;
  }
  return ok ? hooks : undefined;
}

function readStream(raw: unknown, ctx: ParseContext, prefix: string, issues: Issues, file: string): StreamConfig | undefined {
  if (!isPlainTable(raw)) {
    issues.add(file, prefix, expected('a table { class, filename, … }', raw).message);
    return undefined;
  }
  let ok = issues.checkKeys(file, prefix, raw, STREAM_OPTIONS.map((o) => o.key));
  const out: Partial<StreamConfig> = {};
  ok = applyOptions(STREAM_OPTIONS, raw, ctx, out, (key, msg) => issues.add(file, joinKey(prefix, key), msg)) && ok;
  if (!ok) return undefined;
  if (out.class === undefined) {
    if (out.filename === undefined) {
      issues.add(file, joinKey(prefix, 'class'), 'required when no filename is given; expected one of the stream classes or a filename');
      return undefined;
    }
    out.class = 'FileStream';
  }
  const isFile = FILE_STREAM_CLASSES.includes(out.class);
  if (isFile && out.filename === undefined) {
    issues.add(file, joinKey(prefix, 'filename'), `required by class "${out.class}"`);
    return undefined;
  }
  if (!isFile && out.filename !== undefined) {
    issues.add(file, joinKey(prefix, 'filename'), `not used by class "${out.class}"; only by ${FILE_STREAM_CLASSES.join(', ')}`);
    return undefined;
  }
  return out as StreamConfig;
}

/** A validated watcher (`config` complete only when `ok`). */
export interface BuiltWatcher {
  ok: boolean;
  config: Partial<WatcherConfig> & Pick<WatcherConfig, 'name' | 'file'>;
}

/**
 * Validate one watcher. `globalEnv` is the merged, substituted [env]. Every problem is reported to
 * `issues`; `ok` is false when there was any (the partial config still serves depends_on checks).
 */
export function buildWatcher(src: WatcherSource, globalEnv: Record<string, string>, issues: Issues): BuiltWatcher {
  const { name, file } = src;
  const prefix = joinKey('watchers', name);
  const before = issues.count;
  if (!WATCHER_NAME.test(name)) {
    issues.add(file, prefix, 'invalid watcher name; use only letters, digits, "_", "." and "-"');
  }
  if (!isPlainTable(src.raw)) {
    issues.add(file, prefix, expected('a table', src.raw).message);
    return { ok: false, config: { name, file } };
  }
  const ctx: ParseContext = { dir: src.dir };
  const ownEnv = substituteEnv(readEnvTable(src.raw.env, file, joinKey(prefix, 'env'), issues), globalEnv, process.env);
  const env = { ...globalEnv, ...ownEnv };
  const withoutEnv = Object.fromEntries(Object.entries(src.raw).filter(([k]) => k !== 'env'));
  const subst = substituteDeep(withoutEnv, envLookup(env, process.env));
  const table = isPlainTable(subst) ? subst : {};
  quoteShellValues(withoutEnv, table, envLookup(env, process.env));

  issues.checkKeys(file, prefix, table, KNOWN_KEYS);
  const out: BuiltWatcher['config'] = { name, file, env };
  applyOptions(WATCHER_OPTIONS, table, ctx, out, (key, msg) => issues.add(file, joinKey(prefix, key), msg));

  const rlimits: Record<string, number | null> = {};
  for (const limit of RLIMIT_NAMES) {
    const raw = table[`rlimit_${limit}`];
    if (raw === undefined) continue;
    const value = rlimit.parse(raw, ctx);
    if (value instanceof Invalid) issues.add(file, joinKey(prefix, `rlimit_${limit}`), value.message);
    else rlimits[limit] = value;
  }
  out.rlimits = rlimits;

  const hooks = readHooks(table.hooks, ctx, joinKey(prefix, 'hooks'), issues, file);
  if (hooks) out.hooks = hooks;
  for (const key of ['stdout_stream', 'stderr_stream'] as const) {
    if (table[key] === undefined) continue;
    const stream = readStream(table[key], ctx, joinKey(prefix, key), issues, file);
    if (stream) out[key] = stream;
  }

  if (out.singleton && out.numprocesses !== undefined && out.numprocesses > 1) {
    issues.add(file, joinKey(prefix, 'numprocesses'), `must be 0 or 1 when singleton = true, got ${out.numprocesses}`);
  }
  if (out.uid !== undefined && out.gid === undefined && table.gid === undefined) {
    const gid = userById(out.uid)?.gid;
    if (gid !== undefined) out.gid = gid;
  }
  if (out.cmd !== undefined && !out.shell) {
    try {
      shellSplit(out.cmd);
    } catch (err) {
      issues.add(file, joinKey(prefix, 'cmd'), `cannot split ${show(out.cmd)} into words: ${(err as Error).message}`);
    }
  }
  return { ok: issues.count === before, config: out };
}
