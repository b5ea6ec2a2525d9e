/** The option tables of the config file: key, type, default, description and example of every option. */
import os from 'node:os';
import path from 'node:path';
import { HOOK_NAMES } from '../../protocol/states.ts';
import { LOG_LEVELS } from '../log.ts';
import * as D from '../defaults.ts';
import * as P from './parsers.ts';
import { Invalid, type ParseContext } from './parsers.ts';
import { isPlainTable } from './substitute.ts';
import { optionsOf, type OptionDef } from './option-def.ts';
import { ROTATE_WHEN, STREAM_CLASSES } from './types.ts';
import type { AgentConfig, DiscoveryConfig, HookConfig, StreamConfig, WatcherConfig } from './types.ts';
import type { SocketConfig } from '../sockets/types.ts';
import { READY_NOTIFY } from './types.ts';
import { NATS_OPTIONS } from './nats.ts';

export { optionsOf, type OptionDef };

const watcherOption = optionsOf<WatcherConfig>();
const agentOption = optionsOf<AgentConfig>();
const discoveryOption = optionsOf<DiscoveryConfig>();
const hookOption = optionsOf<HookConfig>();
const streamOption = optionsOf<StreamConfig>();

export { LOG_LEVELS };

/** state_dir when none is configured: DEFAULT_STATE_DIR_ROOT for root, a per-uid folder in tmpdir otherwise. */
export function defaultStateDir(): string {
  const uid = process.getuid?.();
  return uid === 0 ? D.DEFAULT_STATE_DIR_ROOT : path.join(os.tmpdir(), `ringd-${uid ?? 'user'}`);
}

/** The top-level keys of ringd's files; the MAIN_ONLY ones are refused in included files. */
export const TOP_LEVEL_KEYS: readonly string[] = ['include', 'agent', 'discovery', 'nats', 'env', 'watchers', 'sockets'];
export const MAIN_ONLY_KEYS: readonly string[] = ['include', 'agent', 'discovery', 'nats'];

export const AGENT_OPTIONS: readonly OptionDef<AgentConfig>[] = [
  agentOption('id', P.agentId, undefined, 'Name of this agent in the fleet (default: the short host name, made subject-safe).'),
  agentOption('labels', P.labels, {}, 'Labels announced to the fleet, e.g. { role = "web", dc = "par1" }; fleet commands select hosts by them.'),
  agentOption('state_dir', P.filePath, undefined, 'Where ringd records its children (pid + start time) for clean-up after a crash.', {
    compute: defaultStateDir,
    defaultText: `${D.DEFAULT_STATE_DIR_ROOT} as root, else $TMPDIR/ringd-<uid>`,
  }),
  agentOption('warmup_delay', P.duration, D.DEFAULT_AGENT_WARMUP_DELAY_MS, 'Delay between starting two watchers.', { example: '500ms' }),
  agentOption('check_interval', P.positiveDuration, D.DEFAULT_CHECK_INTERVAL_MS, 'How often max_age is checked (only while some process has a max_age; orphans are reaped on SIGCHLD, confirmed one interval later).', { example: '5s' }),
  agentOption('endpoint', P.endpoint, D.DEFAULT_ENDPOINT, 'Control endpoint (ZeroMQ ROUTER, Circus protocol). Loopback unless you mean otherwise.', { example: 'ipc:///run/ringd/control.sock' }),
  agentOption('pubsub_endpoint', P.endpoint, D.DEFAULT_PUBSUB_ENDPOINT, 'Event stream (ZeroMQ PUB): topics watcher.NAME.EVENT.', { example: 'ipc:///run/ringd/events.sock' }),
  agentOption('stats_endpoint', P.endpoint, D.DEFAULT_STATS_ENDPOINT, 'Stats stream (ZeroMQ PUB): topics stat.WATCHER[.PID], stat.circus, stat.sockets.', { example: 'ipc:///run/ringd/stats.sock' }),
  agentOption('stats_interval', P.positiveDuration, D.DEFAULT_STATS_INTERVAL_MS, 'How often the stats stream publishes.', { example: '5s' }),
  agentOption('curve_secret_key_file', P.filePath, undefined, 'Enables CURVE on the three endpoints: the server key file written by `ringctl keygen`.', { example: '/etc/ringd/ringd.key' }),
  agentOption('max_request_bytes', P.integer(64), D.DEFAULT_MAX_REQUEST_BYTES, 'Largest control request accepted; larger ones get an error reply.', { example: 4194304 }),
  agentOption('loglevel', P.oneOf(LOG_LEVELS), D.DEFAULT_LOGLEVEL, 'Log verbosity of ringd.'),
  agentOption('allow_remote_add', P.boolean, D.DEFAULT_ALLOW_REMOTE_ADD, 'Accept `add`, and `set` of options that choose what runs (cmd, args, env, hooks, uid…), from NATS and from control endpoints bound to a non-loopback address. Off: only clients on this host (loopback, ipc://) may; see docs/security.md.'),
];

export const DISCOVERY_OPTIONS: readonly OptionDef<DiscoveryConfig>[] = [
  discoveryOption('enabled', P.boolean, true, 'Announce this agent by UDP multicast and answer discovery queries.', { example: false }),
  discoveryOption('group', P.multicastGroup, D.DEFAULT_DISCOVERY_GROUP, 'Multicast group (administratively scoped 239.x by default).'),
  discoveryOption('port', P.integer(1, 65535), D.DEFAULT_DISCOVERY_PORT, 'UDP port of the group; also where unicast queries are answered.', { example: 12030 }),
  discoveryOption('interface', P.nonEmptyString, undefined, 'Interface name or IPv4 address to announce on.', { defaultText: 'the first non-loopback IPv4 interface', example: 'eth0' }),
  discoveryOption('ttl', P.integer(1, 255), D.DEFAULT_DISCOVERY_TTL, 'Multicast TTL: 1 keeps announcements on the local network.', { example: 2 }),
  discoveryOption('announce_interval', P.positiveDuration, D.DEFAULT_ANNOUNCE_INTERVAL_MS, `Period of the announcements (±${D.ANNOUNCE_JITTER * 100} % jitter).`, { example: '5s' }),
  discoveryOption('key_file', P.filePath, undefined, 'Fleet key: datagrams are signed with it and unsigned, forged, stale or replayed ones are dropped.', { example: '/etc/ringd/fleet.key' }),
  discoveryOption('max_clock_skew', P.positiveDuration, D.DEFAULT_MAX_CLOCK_SKEW_MS, 'With a fleet key: signed datagrams further than this from our clock are dropped as stale.', { example: '1m' }),
  discoveryOption('answer_circus_probe', P.boolean, true, 'Answer Circus\'s `""` probe with {"endpoint": …} so Circus tooling finds this agent.', { example: false }),
];

export const WATCHER_OPTIONS: readonly OptionDef<WatcherConfig>[] = [
  watcherOption('cmd', P.nonEmptyString, undefined, 'Program and its arguments (split like a shell unless shell = true).', { required: true, example: 'python -m app --worker $(circus.wid)' }),
  watcherOption('args', P.argv, [], 'Extra arguments appended to cmd (a string is split like a shell would).', { example: ['--config', '/etc/app/app.toml'] }),
  watcherOption('shell', P.boolean, false, 'Run cmd through /bin/sh -c.'),
  watcherOption('shell_args', P.argv, [], 'Extra arguments given to the shell after the command (only with shell = true).', { example: ['app', '--verbose'] }),
  watcherOption('executable', P.nonEmptyString, undefined, 'Program actually executed; the first word of cmd becomes the process title.', { example: '/opt/app/venv/bin/python' }),
  watcherOption('working_dir', P.filePath, undefined, 'Working folder of the processes (relative to the defining file); default: ringd\'s own.', { example: '/srv/app' }),
  watcherOption('uid', P.user, undefined, 'Run as this user (name or uid).'),
  watcherOption('gid', P.group, undefined, 'Run as this group (name or gid); default: the primary group of uid when uid is given.'),
  watcherOption('copy_env', P.boolean, false, 'Start from ringd\'s environment; otherwise children get only [env] and the watcher\'s env.', { example: true }),
  watcherOption('numprocesses', P.integer(0), D.DEFAULT_NUMPROCESSES, 'Number of processes to keep running.', { example: 4 }),
  watcherOption('warmup_delay', P.duration, D.DEFAULT_WARMUP_DELAY_MS, 'Delay between spawning two processes of this watcher.', { example: '2s' }),
  watcherOption('autostart', P.boolean, true, 'Start this watcher when ringd starts.', { example: false }),
  watcherOption('respawn', P.boolean, true, 'Replace processes that exit.', { example: false }),
  watcherOption('singleton', P.boolean, false, 'At most one process (numprocesses must be 0 or 1).'),
  watcherOption('priority', P.integer(), D.DEFAULT_PRIORITY, 'Start order: higher starts first (after its dependencies).', { example: 10 }),
  watcherOption('stop_signal', P.signal, D.DEFAULT_STOP_SIGNAL, 'Signal sent to stop a process; "none" sends nothing and waits for it to leave.', { example: 'SIGQUIT' }),
  watcherOption('send_hup', P.boolean, false, '`reload` sends SIGHUP to the processes instead of replacing them.'),
  watcherOption('stop_children', P.boolean, false, 'Also send stop_signal to tree members outside the process group (setsid escapees); the group always gets it.'),
  watcherOption('graceful_timeout', P.duration, D.DEFAULT_GRACEFUL_TIMEOUT_MS, 'Wait after stop_signal before SIGKILL.', { example: '5m' }),
  watcherOption('max_retry', P.integer(-1), D.DEFAULT_MAX_RETRY, 'Consecutive failures (exits within backoff_reset_after, failed starts) before a process turns fatal; -1 = never.', { example: -1 }),
  watcherOption('max_age', P.duration, D.DEFAULT_MAX_AGE_MS, 'Replace processes older than this (0 = never).', { example: '6h' }),
  watcherOption('max_age_variance', P.duration, D.DEFAULT_MAX_AGE_VARIANCE_MS, 'Random extra age added to max_age per process.', { example: '30m' }),
  watcherOption('close_child_stdin', P.boolean, true, 'Child stdin is /dev/null.', { example: false }),
  watcherOption('close_child_stdout', P.boolean, false, 'Child stdout goes to /dev/null.'),
  watcherOption('close_child_stderr', P.boolean, false, 'Child stderr goes to /dev/null.'),
  watcherOption('depends_on', P.names, [], 'Watchers that must be started before this one.'),
  watcherOption('backoff_base', P.duration, D.DEFAULT_BACKOFF_BASE_MS, 'Delay before the second restart in a row (the first is immediate); doubles up to backoff_max.', { example: '1s' }),
  watcherOption('backoff_max', P.duration, D.DEFAULT_BACKOFF_MAX_MS, 'Longest restart backoff delay.', { example: '5m' }),
  watcherOption('backoff_reset_after', P.duration, D.DEFAULT_BACKOFF_RESET_AFTER_MS, 'A process that ran this long resets its failure count.', { example: '1m' }),
  watcherOption('backoff_jitter', P.number(0, 1), D.DEFAULT_BACKOFF_JITTER, 'Each backoff delay is multiplied by a random factor in [1 - jitter, 1].'),
  watcherOption('output_lines', P.integer(0), D.DEFAULT_OUTPUT_RING_LINES, 'Lines of recent output kept per process.', { example: 5000 }),
  watcherOption('use_sockets', P.useSockets, false, 'Sockets given to the processes besides those cmd, args or env reference with $(circus.sockets.NAME).'),
  watcherOption('stdin_socket', P.nonEmptyString, undefined, 'A socket given to each process as its stdin (fd 0), inetd style.', { example: 'web' }),
  watcherOption('on_demand', P.boolean, false, 'Stay stopped until one of its sockets receives a connection; that connection is served.'),
  watcherOption('ready_delay', P.duration, D.DEFAULT_READY_DELAY_MS, 'A new process counts as ready once it has run this long (and passed ready_check / ready_notify).', { example: '2s' }),
  watcherOption('ready_check', P.nonEmptyString, undefined, 'Readiness probe, retried until it passes: "tcp://HOST:PORT", "http://…" (status < 400) or a command (exit 0).', { example: 'http://127.0.0.1:8080/health' }),
  watcherOption('ready_notify', P.oneOf(READY_NOTIFY), 'none', 'Readiness told by the process: "fd" (writes a newline to fd $RING_READY_FD, s6 style) or "systemd" (READY=1 on $NOTIFY_SOCKET).', { example: 'systemd' }),
  watcherOption('ready_timeout', P.positiveDuration, D.DEFAULT_READY_TIMEOUT_MS, 'A reload gives up (keeping the old processes) when a new process is not ready by then.', { example: '2m' }),
];

const socketOption = optionsOf<SocketConfig>();

/** The [sockets.NAME] options (Circus's [socket:NAME]). close_when_unused defaults by family, after parsing. */
export const SOCKET_OPTIONS: readonly OptionDef<SocketConfig>[] = [
  socketOption('host', P.nonEmptyString, D.DEFAULT_SOCKET_HOST, 'Address to bind (a name is resolved); loopback unless you mean otherwise.', { example: '0.0.0.0' }),
  socketOption('port', P.integer(0, 65535), D.DEFAULT_SOCKET_PORT, 'Port; 0 picks a free one (listsockets shows it).', { example: 80 }),
  socketOption('family', P.aliased({ inet: 'inet', af_inet: 'inet', inet6: 'inet6', af_inet6: 'inet6', unix: 'unix', af_unix: 'unix' }, 'one of "inet", "inet6", "unix"'), 'inet', 'Address family (a path implies unix).', { example: 'inet6' }),
  socketOption('type', P.aliased({ stream: 'stream', sock_stream: 'stream', dgram: 'dgram', sock_dgram: 'dgram' }, 'one of "stream", "dgram"'), 'stream', 'Socket type.', { example: 'dgram' }),
  socketOption('backlog', P.integer(1), D.DEFAULT_SOCKET_BACKLOG, 'Listen backlog: connections queued while no worker accepts.', { example: 1024 }),
  socketOption('path', P.filePath, undefined, 'Unix socket path (relative to the defining file); host and port are then ignored.', { example: '/run/ringd/web.sock' }),
  socketOption('umask', P.umask, undefined, 'umask while binding a unix socket, in octal (0o077 gives mode 0700).'),
  socketOption('replace', P.boolean, false, 'Replace an existing unix socket file (never a regular file).'),
  socketOption('blocking', P.boolean, false, 'Clear O_NONBLOCK: needed by workers that block in accept() (Python, most C servers).'),
  socketOption('so_reuseport', P.boolean, false, 'Each process gets its own SO_REUSEPORT socket instead of the shared one.'),
  socketOption('close_when_unused', P.boolean, undefined, 'Close while no running watcher uses it, rebind when one starts.', { defaultText: 'true for unix sockets, false otherwise' }),
];

/** Resource limits accepted as `rlimit_<name>`. */
export const RLIMIT_NAMES = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio',
  'rttime', 'sigpending', 'stack',
] as const;

export const HOOK_OPTIONS: readonly OptionDef<HookConfig>[] = [
  hookOption('cmd', P.nonEmptyString, undefined, 'Command run through /bin/sh -c.', { required: true, example: 'redis-cli del stop:ingest' }),
  hookOption('timeout', P.duration, D.DEFAULT_HOOK_TIMEOUT_MS, 'The hook is killed and counts as failed after this long.', { example: '2m' }),
  hookOption('ignore_failure', P.boolean, false, 'A failing hook does not stop the action it precedes.'),
];

export const FILE_STREAM_CLASSES: readonly string[] = ['FileStream', 'WatchedFileStream', 'TimedRotatingFileStream'];

export const STREAM_OPTIONS: readonly OptionDef<StreamConfig>[] = [
  streamOption('class', P.oneOf(STREAM_CLASSES), undefined, 'Stream class.', { defaultText: '"FileStream" when filename is given', example: 'TimedRotatingFileStream' }),
  streamOption('filename', P.filePath, undefined, 'Output file (relative to the defining file); required by file classes.', { example: '/var/log/ringd/web.log' }),
  streamOption('max_bytes', P.integer(0), D.DEFAULT_MAX_BYTES, 'Rotate when the file reaches this size (0 = never).', { example: 104857600 }),
  streamOption('backup_count', P.integer(0), D.DEFAULT_BACKUP_COUNT, 'Rotated files kept.', { example: 5 }),
  streamOption('time_format', P.nonEmptyString, undefined, 'strftime-style prefix for every line, e.g. "%Y-%m-%d %H:%M:%S".', { example: '%Y-%m-%d %H:%M:%S' }),
  streamOption('rotate_when', P.oneOf(ROTATE_WHEN), undefined, 'Time rotation unit (TimedRotatingFileStream), case-insensitive.', { example: 'MIDNIGHT' }),
  streamOption('rotate_interval', P.integer(1), D.DEFAULT_ROTATE_INTERVAL, 'Rotate every this many rotate_when units.', { example: 7 }),
  streamOption('utc', P.boolean, false, 'Use UTC for time rotation.'),
];

/** A documented key that is not a plain option: a sub-table, a family of keys (rlimit_<name>) or a free name. */
export interface KeyDoc {
  key: string;
  parser: P.Parser<unknown>;
  default: string;
  description: string;
  /** The key the example is written under when `key` is a placeholder (rlimit_<name> → rlimit_nofile). */
  exampleKey?: string;
  /** A more telling example than the parser's own (a raw TOML value). */
  example?: unknown;
}

/** A table of the options `defs` as one value (an inline example): unknown keys and bad values refused, cross-key rules left to watcher.ts. */
function optionTable<C>(defs: readonly OptionDef<C>[], type: string, example: Record<string, unknown>): P.Parser<Partial<C>> {
  return {
    type,
    example,
    parse: (v, ctx) => {
      if (!isPlainTable(v)) return P.expected(type, v);
      const known = defs.map((d) => d.key);
      const unknown = Object.keys(v).find((k) => !known.includes(k));
      if (unknown !== undefined) return new Invalid(`unknown option ${P.show(unknown)}; expected one of ${known.join(', ')}`);
      const out: Partial<C> = {};
      let problem: Invalid | undefined;
      applyOptions(defs, v, ctx, out, (key, message) => (problem ??= new Invalid(`${key}: ${message}`)));
      return problem ?? out;
    },
  };
}

const hookTable = optionTable(HOOK_OPTIONS, 'a table { cmd, timeout, ignore_failure }', { cmd: 'redis-cli del stop:ingest', timeout: '5s' });

/** One hook: a command string, or a table { cmd, timeout, ignore_failure }. */
export const hook: P.Parser<unknown> = {
  type: 'a command string or a table { cmd, timeout, ignore_failure }',
  example: 'redis-cli set stop:ingest 1',
  parse: (v, ctx) => (typeof v === 'string' ? P.nonEmptyString.parse(v, ctx) : hookTable.parse(v, ctx)),
};

const streamTable = (example: Record<string, unknown>) => optionTable(STREAM_OPTIONS, 'a table { class, filename, … }', example);

/** Watcher keys holding tables (or families of keys), documented here but parsed by watcher.ts. */
export const WATCHER_TABLES: readonly KeyDoc[] = [
  {
    key: 'env', parser: P.tableOf(P.envValue, 'a table of environment variables', { PYTHONUNBUFFERED: '1' }), default: 'unset',
    description: 'Environment variables, merged over [env]; see [watchers.NAME.env].',
  },
  {
    key: 'hooks', parser: P.tableOf(hook, 'a table of hooks', { before_stop: 'redis-cli set stop:ingest 1' }, HOOK_NAMES), default: 'unset',
    description: 'Commands run around events; see [watchers.NAME.hooks].',
  },
  {
    key: 'stdout_stream', parser: streamTable({ filename: '/var/log/ringd/web.log' }), default: 'unset',
    description: 'Where stdout goes: class, filename, rotation options; see the stream table below.',
  },
  {
    key: 'stderr_stream', parser: streamTable({ class: 'StdoutStream' }), default: 'unset',
    description: 'Where stderr goes: class, filename, rotation options; see the stream table below.',
  },
  {
    key: 'rlimit_<name>', parser: P.rlimit, default: 'unset', exampleKey: 'rlimit_nofile',
    description: `Resource limit set in the child; name is one of ${RLIMIT_NAMES.join(', ')}.`,
  },
];

/**
 * Parse every option of `defs` from `table` into `out`, reporting rejected values and missing
 * required options as `<prefix>.<key>`. Returns false when something was reported.
 */
export function applyOptions<C>(
  defs: readonly OptionDef<C>[],
  table: Record<string, unknown>,
  ctx: ParseContext,
  out: Partial<C>,
  report: (key: string, message: string) => void,
): boolean {
  let ok = true;
  for (const def of defs) {
    const raw = table[def.key];
    const problem = raw === undefined && def.required ? new Invalid(`required option missing; expected ${def.type}`) : def.apply(raw, ctx, out);
    if (problem) {
      report(def.key, problem.message);
      ok = false;
    }
  }
  return ok;
}

/** One documented key: what it accepts, its default, what it does and a realistic example. */
export interface OptionRow {
  key: string;
  type: string;
  default: string;
  description: string;
  /** The example: the key it is written under and its raw TOML value. */
  example: { key: string; value: unknown };
  /** The problem the loader reports for `raw` as this key's value, or undefined when it is accepted. */
  check(raw: unknown): Invalid | undefined;
}

export interface OptionDescription extends OptionRow {
  section: 'agent' | 'discovery' | 'nats' | 'watcher' | 'hook' | 'stream' | 'socket';
}

const CHECK_CONTEXT: ParseContext = { dir: '/' };

/** The rows of plain options (ringmaster's [controller] uses it too). */
export function optionRows<C>(defs: readonly OptionDef<C>[]): OptionRow[] {
  return defs.map((d) => ({
    key: d.key, type: d.type, default: d.defaultText, description: d.description,
    example: { key: d.key, value: d.example },
    check: (raw) => d.apply(raw, CHECK_CONTEXT, {}),
  }));
}

/** The rows of keys that are not plain options. */
export function keyRows(docs: readonly KeyDoc[]): OptionRow[] {
  return docs.map((k) => ({
    key: k.key, type: k.parser.type, default: k.default, description: k.description,
    example: { key: k.exampleKey ?? k.key, value: k.example ?? k.parser.example },
    check: (raw) => {
      const value = k.parser.parse(raw, CHECK_CONTEXT);
      return value instanceof Invalid ? value : undefined;
    },
  }));
}

/** Every option of every table, for generated docs and `ringctl` help. */
export function describeOptions(): OptionDescription[] {
  const rows = (section: OptionDescription['section'], list: OptionRow[]): OptionDescription[] => list.map((r) => ({ section, ...r }));
  return [
    ...rows('agent', optionRows(AGENT_OPTIONS)),
    ...rows('discovery', optionRows(DISCOVERY_OPTIONS)),
    ...rows('nats', optionRows(NATS_OPTIONS)),
    ...rows('watcher', [...optionRows(WATCHER_OPTIONS), ...keyRows(WATCHER_TABLES)]),
    ...rows('hook', optionRows(HOOK_OPTIONS)),
    ...rows('stream', optionRows(STREAM_OPTIONS)),
    ...rows('socket', optionRows(SOCKET_OPTIONS)),
  ];
}
