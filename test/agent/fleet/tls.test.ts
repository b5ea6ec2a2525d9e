// ringd's fleet link over TLS with real certificates (deploy/nats/tls-certs.sh) to a server named by
// its IP address: a certificate made for that address is accepted, one made for another is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subjects } from '../../../protocol/fleet/subjects.ts';
import { NatsProbe, startLinkedRingd } from '../../support/nats-probe.ts';
import { startNats, type TestNats } from '../../support/nats.ts';
import { stopAllRingd } from '../../support/ringd-control.ts';
import { tmpDir } from '../../support/tmp.ts';

const CERTS = fileURLToPath(new URL('../../../deploy/nats/tls-certs.sh', import.meta.url));
const WATCHERS = '[watchers.sleeper]\ncmd = "sleep 600"\n';

/** A nats-server requiring TLS with a certificate (from the CA in `dir`) made for `address`. */
async function tlsNats(dir: string, address: string): Promise<TestNats> {
  const certs = join(dir, address);
  execFileSync('cp', ['-r', join(dir, 'ca'), certs]);
  execFileSync('sh', [CERTS, certs, address], { stdio: 'ignore' });
  return startNats({ extraConfig: `tls { cert_file: "${join(certs, 'server.pem')}", key_file: "${join(certs, 'server-key.pem')}", timeout: 5 }` });
}

const dir = tmpDir('ringd-fleet-tls');
let good: TestNats;
let wrong: TestNats;
before(async () => {
  execFileSync('sh', [CERTS, join(dir, 'ca'), 'ca-only.invalid'], { stdio: 'ignore' });
  good = await tlsNats(dir, '127.0.0.1');
  wrong = await tlsNats(dir, '127.0.0.2');
});
after(async () => {
  await stopAllRingd();
  await good?.stop();
  await wrong?.stop();
});

test('a certificate made for the server\'s address is accepted: heartbeats flow over TLS', async () => {
  const tls = `tls_ca = "${join(dir, 'ca', 'ca.pem')}"`;
  const r = await startLinkedRingd(good, WATCHERS, { id: 'tls-1', nats: tls, connected: false });
  await r.ringd.waitForOutput(/NATS: connected to tls:\/\/127\.0\.0\.1:\d+/, 30_000);
  // The probe checks the certificate against the address itself (nats.js alone would check "localhost").
  const tlsOpts = { ca: readFileSync(join(dir, 'ca', 'ca.pem'), 'utf8'), checkServerIdentity: (_h: string, c: PeerCertificate) => checkServerIdentity('127.0.0.1', c) };
  const probe = await NatsProbe.connect(good.url, { tls: tlsOpts });
  try {
    const hb = await probe.collect(subjects.heartbeat('tls-1'));
    const [beat] = await hb.wait('a heartbeat over TLS', () => true);
    assert.equal(beat.json.processes, 1);
  } finally {
    await probe.close();
  }
  assert.doesNotMatch(r.ringd.output(), /(warning|error) +NATS/);
});

test('a certificate made for another address is refused, plainly', async () => {
  const tls = `tls_ca = "${join(dir, 'ca', 'ca.pem')}"`;
  const r = await startLinkedRingd(wrong, WATCHERS, { id: 'tls-2', nats: tls, connected: false });
  await r.ringd.waitForOutput(/NATS: cannot connect to (nats|tls):\/\/127\.0\.0\.1:\d+: .*(IP: 127\.0\.0\.1 is not in the cert's list|certificate)/i, 30_000);
});
