// TLS end to end for the whole fleet: one nats-server requiring mutual TLS (`verify: true`), a ringd, a ringmaster and
// `ringctl --context` all connecting with client certificates from the fleet's CA. A client without a certificate,
// or with one from another CA, is refused by the server, and ringctl says so plainly (exit 5, naming TLS/certificate).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetDir, startFleetAgent, startRingmaster, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { ringctl } from '../support/ringctl.ts';
import { waitFor } from '../support/wait.ts';
import { makeClientCert, makePki, type Pki } from './lib/certs.ts';

let dir: string;
let pki: Pki;
let nats: TestNats;
let url: string;
let agent: Ringd;
let ctl: Ringmaster;
const tlsKeys = (ca: string, c?: { cert: string; key: string }) =>
  [`tls_ca = "${ca}"`, ...(c ? [`tls_cert = "${c.cert}"`, `tls_key = "${c.key}"`] : [])].join('\n');
function context(name: string, keys: string): string {
  const file = join(dir, `${name}.toml`);
  writeFileSync(file, `[nats]\nservers = ["${url}"]\n${keys}\n`);
  return file;
}

before(async () => {
  dir = fleetDir('fault-tls');
  pki = makePki(join(dir, 'pki'), ['127.0.0.1']);
  nats = await startNats({ extraConfig: `tls { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.ca}", verify: true, timeout: 5 }` });
  url = `tls://127.0.0.1:${nats.port}`;
  agent = startFleetAgent(dir, [url], { id: 'tls-a1', nats: tlsKeys(pki.ca, makeClientCert(pki, 'agent-tls-a1')), watchers: '[watchers.w]\ncmd = "sleep 6401"\nnumprocesses = 2' });
  ctl = startRingmaster(dir, [url], { id: 'ctl-tls', nats: tlsKeys(pki.ca, makeClientCert(pki, 'ringmaster')) });
});
after(async () => {
  await agent?.stop('SIGKILL');
  await ctl?.stop('SIGKILL');
  await nats?.stop();
});

test('ringd, ringmaster and ringctl work over mutual TLS', { timeout: 120_000 }, async () => {
  await agent.waitForOutput(/NATS: connected to tls:\/\/127\.0\.0\.1:\d+/, 60_000);
  await ctl.waitForOutput(/connected to tls:\/\/127\.0\.0\.1:\d+|NATS: connected/, 60_000);
  const ctx = context('operator', tlsKeys(pki.ca, makeClientCert(pki, 'operator')));
  const r = await waitFor(async () => {
    const run = await ringctl(['--context', ctx, 'status', '--all', '--json']);
    return run.code === 0 && /tls-a1/.test(run.stdout) && /active/.test(run.stdout) && run;
  }, { what: 'ringctl status --all over mutual TLS listing tls-a1', timeoutMs: 60_000, intervalMs: 500 });
  assert.match(r.stdout, /tls-a1/);
  // Every client is on TLS, each with its certificate: the server's view of its connections.
  const connz = await nats.monitor<{ connections: Array<{ name?: string; tls_version?: string; tls_peer_certs?: Array<{ subject: string }> }> }>('/connz?auth=1');
  const named = (n: RegExp) => connz.connections.find((c) => n.test(c.name ?? ''));
  for (const n of [/tls-a1/, /ctl-tls|ringmaster/]) {
    const c = named(n);
    assert.ok(c?.tls_version, `a TLS connection named ${n}: ${JSON.stringify(connz.connections)}`);
  }
  assert.doesNotMatch(agent.output(), /(warning|error) +NATS/);
});

test('a client without a certificate is refused: ringctl exits 5 and names TLS/the certificate', { timeout: 60_000 }, async () => {
  const run = await ringctl(['--context', context('no-cert', tlsKeys(pki.ca)), 'status', '--all']);
  assert.equal(run.code, 5, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stderr, /TLS (handshake refused|connection reset) by the server.*: it requires a client certificate .* got no client certificate/);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
});

test('a client certificate from another CA is refused the same way', { timeout: 60_000 }, async () => {
  const other = makePki(join(dir, 'other-pki'), ['127.0.0.1']);
  const run = await ringctl(['--context', context('other-ca', [`tls_ca = "${pki.ca}"`, `tls_cert = "${makeClientCert(other, 'intruder').cert}"`, `tls_key = "${join(other.dir, 'intruder-key.pem')}"`].join('\n')), 'status', '--all']);
  assert.equal(run.code, 5, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stderr, /TLS (handshake refused|connection reset) by the server.*: it requires a client certificate signed by a CA it trusts, and got the client certificate tls_cert .*intruder\.pem/);
});
