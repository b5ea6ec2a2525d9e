// NATS credentials on a real ringd: refused credentials are logged clearly while supervision goes on, and a reload
// with the right ones connects. A ringd without [nats] stays off NATS without a complaint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { subjects } from '../../../protocol/fleet/subjects.ts';
import { NatsProbe, startLinkedRingd } from '../../support/nats-probe.ts';
import { startNats, type TestNats } from '../../support/nats.ts';
import { pidAlive } from '../../support/proc.ts';
import { startRingdControl, stopAllRingd, waitPids } from '../../support/ringd-control.ts';

const WATCHERS = `
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2
`;

let nats: TestNats;
let probe: NatsProbe;
before(async () => {
  nats = await startNats({ extraConfig: 'authorization { user: ringd, password: "s3cret" }' });
  probe = await NatsProbe.connect(nats.url, { user: 'ringd', pass: 's3cret' });
});
after(async () => {
  await probe?.close();
  await stopAllRingd();
  await nats?.stop();
});

test('a wrong password is reported once, plainly, and supervision goes on; the right one (after a reload) connects', async () => {
  const r = await startLinkedRingd(nats, WATCHERS, { id: 'auth-1', nats: 'user = "ringd"\npassword = "wrong"', connected: false });
  await r.ringd.waitForOutput(
    /error +NATS: cannot connect to nats:\/\/127\.0\.0\.1:\d+: authorization failed: the server refused user "ringd" and its password \(Authorization Violation\)/,
    30_000,
  );
  // Supervision is not affected: a killed process is replaced as usual.
  const [victim, other] = await waitPids(r, 'sleeper', 2);
  process.kill(victim, 'SIGKILL');
  const pids = await waitPids(r, 'sleeper', 2, [victim]);
  assert.ok(pids.includes(other) && pidAlive(other));
  assert.equal((r.ringd.output().match(/authorization failed/g) ?? []).length, 1, 'logged once, not at every retry');

  const hb = await probe.collect(subjects.heartbeat('auth-1'));
  writeFileSync(r.configPath, readFileSync(r.configPath, 'utf8').replace('password = "wrong"', 'password = "s3cret"'));
  process.kill(r.pid, 'SIGHUP');
  await r.ringd.waitForOutput(/NATS: connected to nats:\/\/127\.0\.0\.1:\d+ as "ringd-auth-1"/, 30_000);
  const [beat] = await hb.wait('a heartbeat of auth-1', () => true);
  assert.equal(beat.json.processes, 2);
  assert.deepEqual(await r.pids('sleeper'), pids, 'the reload left the processes alone');
});

test('without [nats], ringd stays off NATS and says so once, without warnings', async () => {
  const r = await startRingdControl(WATCHERS, { prefix: 'ringd-fleet-none', agent: 'id = "none-1"' });
  await r.ringd.waitForOutput(/info +NATS: off \(no \[nats\] servers configured and discovery disabled\)/);
  const inventory = (await r.ok('inventory')).inventory as { id: string; rev: number; watchers: unknown[] };
  assert.equal(inventory.id, 'none-1');
  assert.equal(inventory.watchers.length, 1);
  assert.ok(inventory.rev > 0, 'the revision counts events even without NATS');
  assert.doesNotMatch(r.ringd.output(), /(warning|error) +NATS/);
});
