/**
 * Watcher options at run time: the `options`/`get` view of a watcher (Circus keys, durations in
 * seconds), and the validation of `add`/`set` options with exactly the config file's rules.
 */
import { ConfigError } from '../../protocol/errors.ts';
import { Issues } from './issues.ts';
import { WATCHER_OPTIONS } from './schema.ts';
import type { HookConfig, StreamConfig, WatcherConfig } from './types.ts';
import { buildWatcher } from './watcher.ts';

const seconds = (ms: number) => ms / 1000;

function hookToRaw(h: HookConfig): Record<string, unknown> {
  return { cmd: h.cmd, timeout: seconds(h.timeout), ignore_failure: h.ignore_failure };
}

function streamToRaw(s: StreamConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
}

/** Every option of a watcher as the control protocol shows it (Circus keys; durations in seconds). */
export function watcherOptionsView(cfg: WatcherConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of WATCHER_OPTIONS) out[def.key] = def.wire(cfg[def.key as keyof WatcherConfig]) ?? null;
  out.env = cfg.env;
  out.hooks = Object.fromEntries(Object.entries(cfg.hooks).map(([k, h]) => [k, hookToRaw(h)]));
  out.stdout_stream = cfg.stdout_stream ? streamToRaw(cfg.stdout_stream) : null;
  out.stderr_stream = cfg.stderr_stream ? streamToRaw(cfg.stderr_stream) : null;
  for (const [name, value] of Object.entries(cfg.rlimits)) out[`rlimit_${name}`] = value;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Expands Circus's dotted keys (`hooks.before_stop`, `stdout_stream.filename`) into tables merged over the current ones. */
function expandDotted(options: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const dot = key.indexOf('.');
    if (dot < 0) { out[key] = value; continue; }
    const head = key.slice(0, dot);
    const base = (out[head] ?? current[head] ?? {}) as Record<string, unknown>;
    out[head] = { ...base, [key.slice(dot + 1)]: value };
  }
  return out;
}

function check(name: string, raw: Record<string, unknown>, globalEnv: Record<string, string>, source: string) {
  const issues = new Issues();
  const built = buildWatcher({ name, file: source, dir: process.cwd(), raw }, globalEnv, issues);
  if (issues.count || !built.ok) throw new ConfigError(issues.list);
  return built.config as WatcherConfig;
}

/** A new watcher from an `add` command, validated like a [watchers.NAME] table. */
export function watcherFromOptions(
  name: string, cmd: string, args: string[], options: Record<string, unknown>, globalEnv: Record<string, string>,
): WatcherConfig {
  return check(name, { ...options, cmd, args }, globalEnv, `add ${name}`);
}

/** `cfg` with `options` applied (each key validated as in the config file); throws ConfigError. */
export function applyWatcherOptions(
  cfg: WatcherConfig, options: Record<string, unknown>, globalEnv: Record<string, string>,
): WatcherConfig {
  const view = watcherOptionsView(cfg);
  const expanded = expandDotted(options, view);
  const parsed = check(cfg.name, { cmd: cfg.cmd, ...expanded }, globalEnv, `set ${cfg.name}`);
  const next: WatcherConfig = { ...cfg };
  for (const key of Object.keys(expanded)) {
    if (key.startsWith('rlimit_')) {
      const limit = key.slice('rlimit_'.length);
      next.rlimits = { ...next.rlimits, [limit]: parsed.rlimits[limit] };
    } else {
      (next as unknown as Record<string, unknown>)[key] = parsed[key as keyof WatcherConfig];
    }
  }
  if (next.singleton && next.numprocesses > 1) {
    throw new ConfigError([{ file: `set ${cfg.name}`, key: 'numprocesses', message: `must be 0 or 1 when singleton = true, got ${next.numprocesses}` }]);
  }
  return next;
}
