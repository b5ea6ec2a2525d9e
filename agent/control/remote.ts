/**
 * Who may add watchers or change what a watcher runs. Circus let any client of its endpoint run any
 * command; ringd keeps that only for clients on the same host (loopback or ipc:// endpoints). Requests
 * from the network (NATS, or a control endpoint bound to a non-loopback address) may not `add`, nor
 * `set` an option outside REMOTE_SETTABLE_OPTIONS, unless [agent] allow_remote_add = true.
 */
import type { CommandDef, PropsSpec } from '../../protocol/commands/index.ts';

/** Where a request came from: `via` names the transport in refusals ("NATS", "the control endpoint tcp://…"). */
export type Origin = { remote: false } | { remote: true; via: string };

export const LOCAL: Origin = { remote: false };
export const VIA_NATS: Origin = { remote: true, via: 'NATS' };

/**
 * Options `set` may change from the network: how many processes, timings, stop and restart policy. Everything
 * else (cmd, args, shell, executable, env, copy_env, uid, gid, working_dir, hooks, ready_check, streams,
 * sockets, rlimits…) decides what runs, as whom, or where files are written, and stays local.
 */
export const REMOTE_SETTABLE_OPTIONS: ReadonlySet<string> = new Set([
  'numprocesses', 'warmup_delay', 'autostart', 'respawn', 'singleton', 'priority', 'stop_signal', 'send_hup',
  'stop_children', 'graceful_timeout', 'max_retry', 'max_age', 'max_age_variance', 'backoff_base', 'backoff_max',
  'backoff_reset_after', 'backoff_jitter', 'output_lines', 'ready_delay', 'ready_timeout',
]);

/** Hosts of tcp:// endpoints that only local clients can reach. */
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]|::1)$/i;

/** The origin of requests on a bound ZeroMQ endpoint: local for ipc:// and loopback tcp://, remote otherwise. */
export function endpointOrigin(endpoint: string): Origin {
  const m = /^tcp:\/\/(.+):[^:]+$/.exec(endpoint);
  if (!m || LOOPBACK_HOST.test(m[1])) return LOCAL;
  return { remote: true, via: `the control endpoint ${endpoint} (not loopback)` };
}

/** Why this request is refused from `origin`, or undefined when it may run. */
export function remoteRefusal(def: CommandDef<PropsSpec>, props: Record<string, unknown>, origin: Origin, allowRemoteAdd: boolean): string | undefined {
  if (!origin.remote || allowRemoteAdd) return undefined;
  const enable = 'set [agent] allow_remote_add = true in ringd\'s config to allow it';
  if (def.name === 'add') return `add refused: watchers may not be added over ${origin.via} (it would let the network run any command); ${enable}`;
  if (def.name !== 'set') return undefined;
  const options = (props.options ?? {}) as Record<string, unknown>;
  const guarded = Object.keys(options).filter((k) => !REMOTE_SETTABLE_OPTIONS.has(k.split('.')[0]));
  if (guarded.length === 0) return undefined;
  return `set refused: ${guarded.join(', ')} may not be changed over ${origin.via} (options that choose what runs, as whom, or where ` +
    `files are written); ${enable}`;
}
