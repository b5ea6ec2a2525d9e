/** Converts [watcher:NAME] sections (options, env, rlimits, streams; hooks reported) into [watchers.NAME] tables. */
import { HOOK_NAMES } from '../../protocol/states.ts';
import { RLIMIT_NAMES } from '../../agent/config/schema.ts';
import type { Context, Option, TomlTable } from './context.ts';
import { watcherEnv, type EnvPatternSection } from './env.ts';
import type { IniEntry, IniSection } from './ini.ts';
import { safeName } from './sockets.ts';
import { convertStream } from './streams.ts';
import { toBool, toInt, toRlimit, toSeconds, toSignal, toUserOrGroup } from './values.ts';

export interface WatcherSection {
  section: IniSection;
  /** Circus's name, as written after "watcher:". */
  name: string;
}

export interface ConvertedWatcher {
  /** The Ringmaster name (Circus's, made safe). */
  name: string;
  /** Files that define the section, first one first. */
  files: string[];
  table: TomlTable;
}

const BOOLEANS = [
  'shell', 'copy_env', 'autostart', 'respawn', 'singleton', 'use_sockets', 'on_demand', 'send_hup', 'stop_children',
  'close_child_stdin', 'close_child_stdout', 'close_child_stderr',
];
const DURATIONS = ['warmup_delay', 'graceful_timeout', 'max_age', 'max_age_variance'];
const SPAWN_TEXTS = ['cmd', 'args', 'shell_args'];

/** Options with no Ringmaster equivalent: the reason, and whether only a true value loses something. */
const UNSUPPORTED: Record<string, { message: string; onlyIfTrue?: boolean }> = {
  copy_path: { message: 'not supported: Ringmaster cannot copy circusd\'s Python path; set PYTHONPATH in [watchers.NAME.env]', onlyIfTrue: true },
  virtualenv: { message: 'not supported: run the virtualenv\'s own interpreter (VENV/bin/python) in cmd, or put VENV/bin first in PATH in [watchers.NAME.env]' },
  virtualenv_py_ver: { message: 'not supported (see virtualenv)' },
  check_flapping: { message: 'ignored: flapping detection was a Circus plugin; Ringmaster\'s restart backoff (backoff_base, backoff_max) and max_retry replace it', onlyIfTrue: true },
  use_papa: { message: 'not supported: Ringmaster does not use papa', onlyIfTrue: true },
  stream_backend: { message: 'ignored: Ringmaster has a single output reader' },
  env: { message: 'not converted: Circus 0.19 does not read env in a watcher section; use an [env:NAME] section' },
};

const SOCKET_REF = /\$\(circus\.sockets\.([A-Za-z0-9_.-]+)\)/g;

function hookNote(watcher: string, hook: string, value: string): string {
  const callable = value.split(',')[0].trim();
  if (!(HOOK_NAMES as readonly string[]).includes(hook)) return `${JSON.stringify(callable)} is a Python hook; Ringmaster has no ${hook} hook`;
  return `${JSON.stringify(callable)} is a Python function run inside circusd and cannot be converted; Ringmaster hooks are shell commands (with RING_HOOK, RING_WATCHER, RING_PID… in their environment): rewrite it as [watchers.${watcher}.hooks] ${hook} = "COMMAND"`;
}

/** Convert the options (not streams) of one watcher into `table`. */
function convertOptions(watcher: string, options: readonly Option[], section: IniSection, ctx: Context, table: TomlTable): void {
  const byKey = new Map(options.map((o) => [o.key, o.entry.value.trim()]));
  const optionValue = (option: string): string | undefined => byKey.get(option);
  for (const { key, entry } of options) {
    if (/^std(out|err)_stream(\.|$)/.test(key)) continue; // see convertStreams
    // Translated once, so a variable's note is given once.
    let translated: string | undefined;
    const text = (): string => (translated ??= ctx.text(section, entry).trim());
    if (SPAWN_TEXTS.includes(key)) {
      let value = ctx.text(section, entry, optionValue).trim();
      // Continuation lines: Circus splits these like a shell, so a line break is a space (not under shell = true).
      if (key !== 'cmd' || toBool(optionValue('shell') ?? 'false') !== true) value = value.replace(/\s*\n\s*/g, ' ');
      if (value !== '' || key === 'cmd') table[key] = value;
    } else if (BOOLEANS.includes(key)) {
      ctx.set(table, key, toBool(text()), section, entry);
    } else if (DURATIONS.includes(key)) {
      ctx.set(table, key, toSeconds(text()), section, entry);
    } else if (key === 'numprocesses') {
      ctx.set(table, key, toInt(text(), 0), section, entry);
    } else if (key === 'priority') {
      ctx.set(table, key, toInt(text()), section, entry);
    } else if (key === 'max_retry') {
      ctx.set(table, key, toInt(text(), -1), section, entry);
    } else if (key === 'stop_signal') {
      ctx.set(table, key, toSignal(text()), section, entry);
    } else if (key === 'executable') {
      if (text() !== '') table.executable = text();
    } else if (key === 'working_dir') {
      const dir = ctx.path(section, entry);
      if (dir !== '') table.working_dir = dir;
    } else if (key === 'uid' || key === 'gid') {
      if (text() !== '') table[key] = toUserOrGroup(text());
    } else if (key === 'stdin_socket') {
      const socket = ctx.sockets.get(text().toLowerCase());
      if (socket === undefined) ctx.note(section, entry, `no [socket:${text()}] section defines this socket; not converted`);
      else table.stdin_socket = socket;
    } else if (key.startsWith('rlimit_')) {
      const limit = key.slice('rlimit_'.length);
      if ((RLIMIT_NAMES as readonly string[]).includes(limit)) ctx.set(table, key, toRlimit(text()), section, entry);
      else ctx.note(section, entry, `unknown resource limit "${limit}" (Ringmaster knows ${RLIMIT_NAMES.join(', ')}); not converted`);
    } else if (key.startsWith('hooks.')) {
      ctx.note(section, entry, hookNote(watcher, key.slice('hooks.'.length), entry.value));
    } else if (key.startsWith('flapping.')) {
      ctx.note(section, entry, 'ignored: options of the flapping plugin; Ringmaster\'s restart backoff and max_retry replace it');
    } else if (UNSUPPORTED[key] !== undefined) {
      const { message, onlyIfTrue } = UNSUPPORTED[key];
      if (!onlyIfTrue || toBool(text()) !== false) ctx.note(section, entry, message);
    } else {
      ctx.note(section, entry, 'unknown watcher option (Circus kept it as a free-form option for plugins); not converted');
    }
  }
}

/** The stream tables of a watcher, from its `stdout_stream.*` and `stderr_stream.*` options. */
function convertStreams(options: readonly Option[], section: IniSection, ctx: Context, table: TomlTable): void {
  for (const which of ['stdout_stream', 'stderr_stream']) {
    const own = options.filter((o) => o.key.startsWith(`${which}.`));
    const bare = options.find((o) => o.key === which);
    if (bare) ctx.note(section, bare.entry, `use ${which}.class, ${which}.filename, …; not converted`);
    if (own.length === 0) continue;
    const stream = convertStream(which, own, section, ctx);
    if (stream) table[which] = stream;
  }
}

/** Cross-option checks Ringmaster enforces but Circus did not (or failed on at run time). */
function checkWatcher(table: TomlTable, section: IniSection, ctx: Context, entryOf: (key: string) => IniEntry | undefined): void {
  if (table.singleton === true && typeof table.numprocesses === 'number' && table.numprocesses > 1) {
    ctx.note(section, entryOf('numprocesses'), `a singleton runs at most one process (Circus refused this watcher); numprocesses ${table.numprocesses} written as 1`);
    table.numprocesses = 1;
  }
  if (table.on_demand === true) {
    const texts = [table.cmd, table.args, table.shell_args, ...Object.values((table.env ?? {}) as Record<string, string>)].filter((t) => typeof t === 'string');
    const refs = texts.some((t) => [...(t as string).matchAll(SOCKET_REF)].length > 0);
    const all = table.use_sockets === true && ctx.sockets.size > 0;
    if (!refs && !all) {
      ctx.note(section, entryOf('on_demand'), 'on_demand needs a socket the watcher uses (Circus started it on a connection to any socket); not converted: the watcher starts at once');
      delete table.on_demand;
    }
  }
}

/** Convert one watcher; undefined when it cannot be (noted). */
function convertWatcher(w: WatcherSection, name: string, envSections: readonly EnvPatternSection[], ctx: Context): TomlTable | undefined {
  const { section } = w;
  if (section.entries.length === 0 && ctx.defaults.length === 0) {
    ctx.note(section, undefined, 'empty section; skipped (Circus skips empty sections too)');
    return undefined;
  }
  const options = ctx.options(section);
  const table: TomlTable = {};
  convertOptions(name, options, section, ctx, table);
  if (typeof table.cmd !== 'string' || table.cmd === '') {
    ctx.note(section, undefined, 'no cmd: Circus could not run this watcher either; skipped');
    return undefined;
  }
  const env = watcherEnv(w.name, envSections);
  if (Object.keys(env).length > 0) table.env = env;
  convertStreams(options, section, ctx, table);
  checkWatcher(table, section, ctx, (key) => options.find((o) => o.key === key)?.entry);
  return table;
}

/** Convert every watcher, giving each a Ringmaster-safe name unique ignoring case. */
export function convertWatchers(list: readonly WatcherSection[], envSections: readonly EnvPatternSection[], ctx: Context): ConvertedWatcher[] {
  const out: ConvertedWatcher[] = [];
  for (const w of list) {
    const name = safeName(w.name);
    const clash = out.find((o) => o.name.toLowerCase() === name.toLowerCase());
    if (clash) {
      ctx.note(w.section, undefined, `a watcher named "${clash.name}" is already defined (names are case-insensitive); this section is skipped`);
      continue;
    }
    const table = convertWatcher(w, name, envSections, ctx);
    if (table === undefined) continue;
    if (name !== w.name) ctx.note(w.section, undefined, `watcher renamed "${name}": Ringmaster names use only letters, digits, "_", "." and "-"`);
    out.push({ name, files: w.section.files, table });
  }
  return out;
}
