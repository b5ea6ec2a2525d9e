/**
 * The [nats] section: how a ringd (or a ringmaster, which reuses this table for its own file)
 * reaches the NATS servers of the fleet. Stable exports: NatsConfig, NATS_OPTIONS, natsConfigProblems.
 */
import * as D from '../defaults.ts';
import { optionsOf, type OptionDef } from './option-def.ts';
import * as P from './parsers.ts';
import { expected, type Parser } from './parsers.ts';

/** [nats], defaults applied. Durations are milliseconds; file paths are absolute. */
export interface NatsConfig {
  /** Server URLs (nats://host:port, tls://host:port or host:port); empty = learned from a controller by discovery. */
  servers: string[];
  /** Client name shown by the server (absent: the program's default, e.g. "ringd-<agent id>"). */
  name?: string;
  user?: string;
  password?: string;
  token?: string;
  nkey_seed_file?: string;
  creds_file?: string;
  tls_ca?: string;
  tls_cert?: string;
  tls_key?: string;
  ping_interval: number;
  max_pings_out: number;
  reconnect_wait: number;
  reconnect_jitter: number;
  heartbeat_interval: number;
  stats_interval: number;
  event_buffer: number;
  max_payload: number;
}

const SERVERS_TYPE = 'a list of NATS URLs ("nats://HOST:PORT", "tls://HOST:PORT" or "HOST:PORT")';

/** One server URL, or undefined when it is not one. */
function serverUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') return undefined;
  if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return undefined;
  return text;
}

/** A list of server URLs (one string is a list of one); duplicates dropped. */
export const natsServers: Parser<string[]> = {
  type: SERVERS_TYPE,
  example: ['nats://10.0.0.9:4222', 'nats://10.0.0.10:4222'],
  parse: (v) => {
    const list: unknown = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list)) return expected(SERVERS_TYPE, v);
    const out: string[] = [];
    for (const item of list as unknown[]) {
      const url = serverUrl(item);
      if (url === undefined) return expected(SERVERS_TYPE, item);
      if (!out.includes(url)) out.push(url);
    }
    return out;
  },
};

const natsOption = optionsOf<NatsConfig>();

export const NATS_OPTIONS: readonly OptionDef<NatsConfig>[] = [
  natsOption('servers', natsServers, [], 'NATS servers to connect to. Empty: the URLs a controller announces (discovery), used as soon as they are learned.'),
  natsOption('name', P.nonEmptyString, undefined, 'Client name the server shows in its monitoring pages.', { defaultText: '"ringd-<agent id>"', example: 'ringd-web-1' }),
  natsOption('user', P.nonEmptyString, undefined, 'User name (with password).', { example: 'ringd' }),
  natsOption('password', P.string, undefined, 'Password of user; prefer $(circus.env.NAME) to writing it in the file.', { example: '$(circus.env.NATS_PASSWORD)' }),
  natsOption('token', P.nonEmptyString, undefined, 'Authentication token (instead of user and password).', { example: '$(circus.env.NATS_TOKEN)' }),
  natsOption('nkey_seed_file', P.filePath, undefined, 'File holding an NKey seed ("SU…"): the client signs the server\'s challenge with it.', { example: '/etc/ringd/nats.nk' }),
  natsOption('creds_file', P.filePath, undefined, 'Credentials file (JWT and NKey seed, as `nsc` writes it) for decentralized auth.', { example: '/etc/ringd/ringd.creds' }),
  natsOption('tls_ca', P.filePath, undefined, 'CA certificate (PEM) the server\'s certificate must chain to. Setting any tls_* key, or a tls:// URL, requires TLS.', { example: '/etc/ringd/tls/ca.pem' }),
  natsOption('tls_cert', P.filePath, undefined, 'Client certificate (PEM), for servers that verify clients; needs tls_key.', { example: '/etc/ringd/tls/client.pem' }),
  natsOption('tls_key', P.filePath, undefined, 'Private key (PEM) of tls_cert.', { example: '/etc/ringd/tls/client-key.pem' }),
  natsOption('ping_interval', P.positiveDuration, D.DEFAULT_NATS_PING_INTERVAL_MS, 'How often the client pings the server; a server silent for max_pings_out pings counts as lost.', { example: '10s' }),
  natsOption('max_pings_out', P.integer(1), D.DEFAULT_NATS_MAX_PINGS_OUT, 'Unanswered pings before the connection is dropped and re-established.', { example: 5 }),
  natsOption('reconnect_wait', P.positiveDuration, D.DEFAULT_NATS_RECONNECT_WAIT_MS, 'Wait between connection attempts (attempts never stop).', { example: '2s' }),
  natsOption('reconnect_jitter', P.duration, D.DEFAULT_NATS_RECONNECT_JITTER_MS, 'Random extra wait, up to this, added to reconnect_wait.', { example: '1s' }),
  natsOption('heartbeat_interval', P.positiveDuration, D.DEFAULT_HEARTBEAT_INTERVAL_MS, 'Period of the heartbeat (ring.agent.<id>.hb) controllers judge liveness by.', { example: '2s' }),
  natsOption('stats_interval', P.positiveDuration, D.DEFAULT_FLEET_STATS_INTERVAL_MS, 'Period of the per-process stats message (ring.agent.<id>.stats).', { example: '10s' }),
  natsOption('event_buffer', P.integer(0), D.DEFAULT_EVENT_BUFFER, 'Events kept while NATS is unreachable, replayed in order on reconnect; beyond it the oldest are dropped and counted.', { example: 50000 }),
  natsOption('max_payload', P.integer(D.MIN_NATS_MAX_PAYLOAD), D.DEFAULT_NATS_MAX_PAYLOAD, 'Largest message published, in bytes: followed output is split in chunks under it (and under the server\'s own limit).', { example: 262144 }),
];

/** Combinations of [nats] keys that cannot work: {key, message} per problem (the key is the one to fix). */
export function natsConfigProblems(cfg: Partial<NatsConfig>): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  if (cfg.password !== undefined && cfg.user === undefined) out.push({ key: 'password', message: 'needs user' });
  if (cfg.token !== undefined && cfg.user !== undefined) out.push({ key: 'token', message: 'cannot be combined with user and password: use one or the other' });
  if (cfg.creds_file !== undefined && cfg.nkey_seed_file !== undefined) {
    out.push({ key: 'creds_file', message: 'cannot be combined with nkey_seed_file (a creds file holds its own seed)' });
  }
  if (cfg.tls_cert !== undefined && cfg.tls_key === undefined) out.push({ key: 'tls_cert', message: 'needs tls_key' });
  if (cfg.tls_key !== undefined && cfg.tls_cert === undefined) out.push({ key: 'tls_key', message: 'needs tls_cert' });
  return out;
}
