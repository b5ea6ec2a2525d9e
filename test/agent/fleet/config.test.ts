// The [nats] section (defaults, URL and combination checks, main file only) and natsConnectOptions (nats.js options,
// credential files read and checked, errors naming the key and the file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { checkConfig, loadConfig } from '../../../agent/config/index.ts';
import type { NatsConfig } from '../../../agent/config/nats.ts';
import { explainNatsError, natsConnectOptions, NatsSetupError } from '../../../agent/fleet/connect.ts';
import { tmpDir } from '../../support/tmp.ts';

/** Writes ringd.toml (and other files) to a fresh folder; returns its path. */
function files(main: string, more: Record<string, string> = {}): string {
  const dir = tmpDir('ring-nats-config');
  for (const [name, text] of Object.entries({ 'ringd.toml': main, ...more })) writeFileSync(join(dir, name), text);
  return join(dir, 'ringd.toml');
}

const load = async (nats: string, more?: Record<string, string>) => (await loadConfig(files(`[nats]\n${nats}\n`, more))).nats;
const issues = async (main: string, more?: Record<string, string>) =>
  (await checkConfig(files(main, more))).issues.map((i) => `${i.key}: ${i.message}`);

test('[nats] defaults: no servers, heartbeat 1s, stats 5s, pings every 5s (3 out), reconnect 1s + 500ms, 10000 events, 1 MB', async () => {
  const n = (await loadConfig(files(''))).nats;
  assert.deepEqual(n, {
    servers: [], ping_interval: 5000, max_pings_out: 3, reconnect_wait: 1000, reconnect_jitter: 500, heartbeat_interval: 1000,
    stats_interval: 5000, event_buffer: 10_000, max_payload: 1024 * 1024,
  });
});

test('[nats] values: servers as a list or one string, durations, files relative to the config file', async () => {
  const n = await load('servers = "nats://10.0.0.1:4222"\nheartbeat_interval = "250ms"\nping_interval = 2\ncreds_file = "ringd.creds"');
  assert.deepEqual(n.servers, ['nats://10.0.0.1:4222']);
  assert.equal(n.heartbeat_interval, 250);
  assert.equal(n.ping_interval, 2000);
  assert.match(n.creds_file!, /^\/.*\/ringd\.creds$/);
  assert.deepEqual((await load('servers = ["tls://a.example:4443", "b.example:4222", "b.example:4222"]')).servers, ['tls://a.example:4443', 'b.example:4222']);
});

test('[nats] problems name the key: bad URLs, bad numbers, unknown keys, impossible combinations, outside the main file', async () => {
  assert.deepEqual(await issues('[nats]\nservers = ["http://x:80"]\nmax_payload = 10\nevent_buffer = -1\nbogus = 1\n'), [
    'nats.bogus: unknown option',
    'nats.servers: expected a list of NATS URLs ("nats://HOST:PORT", "tls://HOST:PORT" or "HOST:PORT"), got "http://x:80"',
    'nats.event_buffer: expected an integer ≥ 0, got -1',
    'nats.max_payload: expected an integer ≥ 4096, got 10',
  ]);
  assert.deepEqual(await issues('[nats]\npassword = "x"\ntoken = "t"\nuser = "u"\ntls_cert = "c.pem"\n'), [
    'nats.token: cannot be combined with user and password: use one or the other',
    'nats.tls_cert: needs tls_key',
  ]);
  assert.deepEqual(await issues('[nats]\npassword = "x"\n'), ['nats.password: needs user']);
  const [outside] = await issues('include = "more.toml"\n', { 'more.toml': '[nats]\nservers = ["a:1"]\n' });
  assert.match(outside, /^nats: only allowed in the main file \(\S+ringd\.toml\)$/);
});

const cfg = (over: Partial<NatsConfig> = {}): NatsConfig => ({
  servers: [], ping_interval: 5000, max_pings_out: 3, reconnect_wait: 1000, reconnect_jitter: 500, heartbeat_interval: 1000,
  stats_interval: 5000, event_buffer: 10_000, max_payload: 1 << 20, ...over,
});

test('natsConnectOptions maps [nats] to nats.js options: never-ending reconnects, pings, name, user and token', () => {
  const o = natsConnectOptions(cfg({ user: 'ringd', password: 'pw' }), 'ringd-web-1', ['nats://a:4222']);
  assert.deepEqual(o, {
    servers: ['nats://a:4222'], name: 'ringd-web-1', pingInterval: 5000, maxPingOut: 3, reconnect: true, maxReconnectAttempts: -1,
    reconnectTimeWait: 1000, reconnectJitter: 500, reconnectJitterTLS: 500, user: 'ringd', pass: 'pw',
  });
  assert.equal(natsConnectOptions(cfg({ name: 'mine', token: 't' }), 'ringd-x', ['a:1']).name, 'mine');
  assert.equal(natsConnectOptions(cfg({ token: 't' }), 'ringd-x', ['a:1']).token, 't');
  assert.throws(() => natsConnectOptions(cfg(), 'ringd-x', []), (e: Error) => e instanceof NatsSetupError && /no NATS server to connect to/.test(e.message));
});

test('natsConnectOptions reads NKey seeds, creds and TLS files, and says which key and file are wrong', () => {
  const dir = tmpDir('ring-nats-files');
  const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
  const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const nkey = natsConnectOptions(cfg({ nkey_seed_file: write('user.nk', `${seed}\n`) }), 'n', ['a:1']);
  assert.equal(typeof nkey.authenticator, 'function');
  const creds = `-----BEGIN NATS USER JWT-----\neyJhbGciOi.fake.jwt\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
  assert.equal(typeof natsConnectOptions(cfg({ creds_file: write('user.creds', creds) }), 'n', ['a:1']).authenticator, 'function');

  const missing = join(dir, 'nope.creds');
  assert.throws(() => natsConnectOptions(cfg({ creds_file: missing }), 'n', ['a:1']), { message: `[nats] creds_file: cannot read ${missing}: no such file` });
  const junk = write('junk.nk', 'not a seed\n');
  assert.throws(() => natsConnectOptions(cfg({ nkey_seed_file: junk }), 'n', ['a:1']),
    (e: Error) => e instanceof NatsSetupError && e.message.startsWith(`[nats] nkey_seed_file: ${junk} is not an NKey seed`));
  assert.throws(() => natsConnectOptions(cfg({ creds_file: junk }), 'n', ['a:1']),
    (e: Error) => e.message.startsWith(`[nats] creds_file: ${junk} is not a NATS credentials file`));

  assert.equal(natsConnectOptions(cfg(), 'n', ['nats://a:1']).tls, undefined, 'no TLS unless asked for');
  assert.deepEqual(natsConnectOptions(cfg(), 'n', ['tls://a:1']).tls, {}, 'a tls:// URL requires TLS');
  const ca = write('ca.pem', 'CA PEM');
  assert.deepEqual(natsConnectOptions(cfg({ tls_ca: ca }), 'n', ['a:1']).tls, { ca: 'CA PEM' });
  assert.throws(() => natsConnectOptions(cfg({ tls_cert: join(dir, 'c.pem'), tls_key: ca }), 'n', ['a:1']), { message: `[nats] tls_cert: cannot read ${join(dir, 'c.pem')}: no such file` });
});

test('explainNatsError: refused credentials are named plainly', () => {
  assert.equal(explainNatsError(new Error('Authorization Violation'), cfg({ user: 'ringd' })),
    'authorization failed: the server refused user "ringd" and its password (Authorization Violation); check [nats] user/password, token, nkey_seed_file or creds_file');
  assert.match(explainNatsError(new NatsSetupError('[nats] creds_file: x'), cfg()), /^\[nats\] creds_file: x$/);
});
