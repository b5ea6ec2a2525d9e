/**
 * [nats] → nats.js connection options (credential files read and checked here, with errors that
 * name the key and the file), and one connection attempt. Shared by ringd and ringmaster: the
 * exports natsConnectOptions, connectNats, explainNatsError, needsOperator, wantsTls and NatsSetupError are stable.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  connect, credsAuthenticator, errors, nkeyAuthenticator, type Authenticator, type NatsConnection, type NodeConnectionOptions,
} from '@nats-io/transport-node';
import type { NatsConfig } from '../config/nats.ts';

/** A problem of the configuration or its files: retrying cannot help until someone fixes it. */
export class NatsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NatsSetupError';
  }
}

function readConfigFile(key: keyof NatsConfig, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw new NatsSetupError(`[nats] ${key}: cannot read ${file}: ${why}`);
  }
}

/** An authenticator from a file, tried once on a dummy nonce so a malformed file fails here and not at connect time. */
function checkedAuthenticator(key: keyof NatsConfig, file: string, what: string, make: (bytes: Uint8Array) => Authenticator): Authenticator {
  const text = readConfigFile(key, file);
  const auth = make(new TextEncoder().encode(key === 'nkey_seed_file' ? text.trim() : text));
  try {
    auth('ringmaster-check');
  } catch (err) {
    throw new NatsSetupError(`[nats] ${key}: ${file} is not ${what} (${(err as Error).message})`);
  }
  return auth;
}

/** Whether TLS is required: a tls_* key is set or a server URL is tls://. */
export function wantsTls(cfg: NatsConfig, servers: string[]): boolean {
  return cfg.tls_ca !== undefined || cfg.tls_cert !== undefined || cfg.tls_key !== undefined || servers.some((s) => /^tls:\/\//i.test(s));
}

/**
 * The nats.js options for `servers` (the configured ones, or those learned from a controller).
 * `name` is the client name used when [nats] name is absent. Reconnects never stop. Pure apart
 * from reading the credential and TLS files; throws NatsSetupError naming the key and the file.
 */
export function natsConnectOptions(cfg: NatsConfig, name: string, servers: string[]): NodeConnectionOptions {
  if (servers.length === 0) throw new NatsSetupError('no NATS server to connect to: [nats] servers is empty and none was learned from a controller');
  const opts: NodeConnectionOptions = {
    servers,
    name: cfg.name ?? name,
    pingInterval: cfg.ping_interval,
    maxPingOut: cfg.max_pings_out,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: cfg.reconnect_wait,
    reconnectJitter: cfg.reconnect_jitter,
    reconnectJitterTLS: cfg.reconnect_jitter,
  };
  if (cfg.user !== undefined) {
    opts.user = cfg.user;
    opts.pass = cfg.password;
  }
  if (cfg.token !== undefined) opts.token = cfg.token;
  if (cfg.nkey_seed_file !== undefined) {
    opts.authenticator = checkedAuthenticator('nkey_seed_file', cfg.nkey_seed_file, 'an NKey seed (one line starting with "SU")', nkeyAuthenticator);
  }
  if (cfg.creds_file !== undefined) {
    opts.authenticator = checkedAuthenticator('creds_file', cfg.creds_file, 'a NATS credentials file (a JWT and an NKey seed)', credsAuthenticator);
  }
  if (wantsTls(cfg, servers)) {
    opts.tls = {
      ...(cfg.tls_ca !== undefined ? { ca: readConfigFile('tls_ca', cfg.tls_ca) } : {}),
      ...(cfg.tls_cert !== undefined ? { cert: readConfigFile('tls_cert', cfg.tls_cert) } : {}),
      ...(cfg.tls_key !== undefined ? { key: readConfigFile('tls_key', cfg.tls_key) } : {}),
      ...(addressIdentity(servers) ? { checkServerIdentity: addressIdentity(servers) } : {}),
    };
  }
  return opts;
}

/** The host of a server URL ("tls://10.0.0.9:4222" → "10.0.0.9", brackets of IPv6 removed); "" when it does not parse. */
function serverHost(url: string): string {
  try {
    return new URL(url.includes('://') ? url : `nats://${url}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/**
 * nats.js gives TLS no server name for a server named by its IP address, so Node would check the
 * certificate against "localhost" and refuse `tls://10.0.0.9:4222` with a certificate made for
 * 10.0.0.9. This checks such certificates against the configured addresses instead (valid for any
 * of them: they are all this fleet's servers); servers named by DNS keep Node's own check.
 */
function addressIdentity(servers: string[]): ((host: string, cert: PeerCertificate) => Error | undefined) | undefined {
  const hosts = new Set(servers.map(serverHost));
  const ips = [...hosts].filter((h) => isIP(h));
  if (ips.length === 0) return undefined;
  return (host, cert) => {
    const names = [...(hosts.has(host) ? [host] : []), ...ips];
    return names.some((n) => checkServerIdentity(n, cert) === undefined) ? undefined : checkServerIdentity(names[0], cert);
  };
}

/** One connection attempt to `servers` (each tried once); rejects when none accepts. Reconnects after that are automatic. */
export function connectNats(cfg: NatsConfig, name: string, servers: string[], extra: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
  let opts: NodeConnectionOptions;
  try {
    opts = { ...natsConnectOptions(cfg, name, servers), ...extra };
  } catch (err) {
    return Promise.reject(err);
  }
  return connect(opts);
}

const isAuthError = (err: unknown): boolean =>
  err instanceof errors.AuthorizationError || (err instanceof Error && /authorization violation|authentication/i.test(err.message));

/** True for failures retrying cannot fix (bad files, refused credentials): worth an error rather than a warning. */
export function needsOperator(err: unknown): boolean {
  return err instanceof NatsSetupError || isAuthError(err);
}

/** A failed connection or a connection error in plain English, e.g. "authorization failed (user "ringd"): Authorization Violation". */
export function explainNatsError(err: unknown, cfg: NatsConfig): string {
  if (err instanceof NatsSetupError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (isAuthError(err)) {
    const how = cfg.creds_file !== undefined ? `creds_file ${cfg.creds_file}`
      : cfg.nkey_seed_file !== undefined ? `nkey_seed_file ${cfg.nkey_seed_file}`
      : cfg.token !== undefined ? 'token'
      : cfg.user !== undefined ? `user "${cfg.user}" and its password`
      : 'no credentials configured';
    return `authorization failed: the server refused ${how} (${message}); check [nats] user/password, token, nkey_seed_file or creds_file`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const text = `${message}${cause}`;
  // A server verifying clients ends the handshake with an alert (or just a reset) when the client certificate is
  // missing or signed by a CA it does not trust; OpenSSL's text alone does not say so.
  const tls = cfg.tls_ca !== undefined || cfg.tls_cert !== undefined || cfg.tls_key !== undefined || cfg.servers.some((u) => /^tls:\/\//i.test(u));
  if (tls && /alert (bad certificate|certificate required|unknown ca|certificate unknown|handshake failure)|ECONNRESET|EPIPE/i.test(text)) {
    const mine = cfg.tls_cert !== undefined ? `the client certificate tls_cert ${cfg.tls_cert}` : 'no client certificate (tls_cert and tls_key are not set)';
    const alert = /alert/i.test(text);
    return `${alert ? 'TLS handshake refused by the server' : 'TLS connection reset by the server (likely a refused handshake)'}: ` +
      `it requires a client certificate signed by a CA it trusts, and got ${mine}; check [nats] tls_cert and tls_key (${text.trim().split('\n')[0]})`;
  }
  return text;
}
