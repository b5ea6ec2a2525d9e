// CURVE on a real ringd: with [agent] curve_secret_key_file, clients holding the server's public key get replies,
// events and stats; plaintext clients (and clients with a wrong server key) get nothing at all. And `ringctl keygen`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../../agent/transport/curve.ts';
import { startRingdControl, stopAllRingd, type RingdControl } from '../../support/ringd-control.ts';
import { tmpDir } from '../../support/tmp.ts';
import { EventCollector } from '../../support/zmq.ts';

const RINGCTL = fileURLToPath(new URL('../../../bin/ringctl.js', import.meta.url));
const REFUSED_MS = 3000; // how long a refused client waits before giving up (the assertion is that it gets nothing)

let r: RingdControl;
let publicKey: string;
const open: { close(): void }[] = [];

before(async () => {
  const keys = writeKeyFiles(join(tmpDir('ringd-curve-keys'), 'server'));
  publicKey = keys.publicKey;
  r = await startRingdControl(`
[watchers.sleeper]
cmd = "sleep 600"

[watchers.probe]
cmd = "sleep 602"
numprocesses = 0
`, { prefix: 'ringd-curve', agent: `curve_secret_key_file = "${keys.secretFile}"\nstats_interval = "250ms"`, curveServerKey: publicKey });
});
after(async () => {
  for (const c of open) c.close();
  await stopAllRingd();
});

let probes = 0;
const probe = () => r.control.call('set', { name: 'probe', options: { graceful_timeout: 1 + (++probes % 100) } }, { timeoutMs: 30_000 });

test('a client with the server key gets replies on control, events and stats', async () => {
  assert.match(r.ringd.output(), /control \S+, events \S+, stats \S+ \(CURVE\)/, 'ringd says CURVE is on');
  const list = await r.control.call('list', {}, { timeoutMs: 20_000 });
  assert.deepEqual([list.status, list.watchers], ['ok', ['probe', 'sleeper']]);
  const req = r.client({ type: 'req' });
  assert.equal((await req.call('status', { name: 'sleeper' }, { timeoutMs: 20_000 })).status, 'active', 'a REQ client too');

  const ev = await r.events([''], { probe });
  const updated = await ev.waitFor((m) => m.topic === 'watcher.probe.updated', 'watcher.probe.updated', 20_000);
  assert.equal(typeof updated.payload.time, 'number');

  const stats = await r.stats(['stat.circus']);
  const self = await stats.waitFor((m) => m.topic === `stat.circus.${r.pid}`, 'stat.circus.<ringd pid>', 20_000);
  assert.equal(self.payload.name, 'ringd');
});

test('plaintext clients and clients with a wrong server key get nothing', async () => {
  const plain = r.client({ curveServerKey: undefined });
  const plainReq = r.client({ type: 'req', curveServerKey: undefined });
  const wrong = r.client({ curveServerKey: generateKeyPair().publicKey });
  // A plaintext SUB connected anyway while the stats stream publishes every 250 ms and probe events are published.
  const raw = await import('zeromq');
  const sub = new raw.Subscriber({ linger: 0, receiveTimeout: REFUSED_MS });
  open.push(sub);
  sub.subscribe('');
  sub.connect(r.endpoints.stats);
  const evSub = new raw.Subscriber({ linger: 0, receiveTimeout: REFUSED_MS });
  open.push(evSub);
  evSub.subscribe('');
  evSub.connect(r.endpoints.events);
  const eagain = (err: Error & { code?: string }) => err.code === 'EAGAIN';
  // All refusals wait in parallel (each is a bounded wait for something that must not come).
  await Promise.all([
    assert.rejects(plain.call('list', {}, { timeoutMs: REFUSED_MS }), /no reply to 'list'/, 'no reply to a plaintext DEALER'),
    assert.rejects(plainReq.call('list', {}, { timeoutMs: REFUSED_MS }), /no reply to 'list'/, 'nor to a plaintext REQ'),
    assert.rejects(wrong.call('list', {}, { timeoutMs: REFUSED_MS }), /no reply to 'list'/, 'nor to a client expecting another server key'),
    ...[['events', r.endpoints.events], ['stats', r.endpoints.stats]].map(([what, endpoint]) => assert.rejects(
      EventCollector.subscribe(endpoint, [''], { timeoutMs: REFUSED_MS }),
      /no ZMTP handshake/,
      `a plaintext subscriber never completes the handshake on ${what}`,
    )),
    assert.rejects(sub.receive(), eagain, 'no stats message reaches a plaintext SUB'),
    assert.rejects(evSub.receive(), eagain, 'no event reaches a plaintext SUB'),
    (async () => { for (let i = 0; i < 5; i++) { await probe(); await new Promise((res) => setTimeout(res, 200)); } })(),
  ]);

  // Meanwhile the CURVE client is served as usual.
  assert.equal((await r.control.call('status', { name: 'sleeper' }, { timeoutMs: 20_000 })).status, 'active');
});

test('ringctl keygen writes BASE.key (0600, both keys) and BASE.pub (0644, public key only), and never overwrites', () => {
  const base = join(tmpDir('ringctl-keygen'), 'agent');
  const run = (...args: string[]) => spawnSync(process.execPath, [RINGCTL, 'keygen', ...args], { encoding: 'utf8', timeout: 60_000 });
  const first = run(base);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(statSync(`${base}.key`).mode & 0o777, 0o600);
  assert.equal(statSync(`${base}.pub`).mode & 0o777, 0o644);
  const secret = readKeyFile(`${base}.key`);
  const pub = readKeyFile(`${base}.pub`);
  assert.equal(pub.secretKey, undefined, 'the .pub file holds no secret');
  assert.equal(secret.publicKey, pub.publicKey);
  assert.match(secret.secretKey ?? '', /^.{40}$/);
  assert.match(first.stdout, new RegExp(pub.publicKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the public key is printed for clients');

  const again = run(base);
  assert.notEqual(again.status, 0, 'an existing key file is not overwritten');
  assert.match(again.stderr, /already exists/);
  assert.deepEqual(readKeyFile(`${base}.key`), secret, 'the secret key is unchanged');
  const forced = run(base, '--force');
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readKeyFile(`${base}.key`).secretKey, secret.secretKey, '--force writes a new pair');
  assert.equal(statSync(`${base}.key`).mode & 0o777, 0o600);
  assert.ok(existsSync(`${base}.pub`));
});
