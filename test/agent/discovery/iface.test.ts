// The pieces of discovery that need no network: reachable endpoints, agent ids, interface lookup, jitter, the fleet key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jittered } from '../../../agent/discovery/announcer.ts';
import { agentId, resolveInterface, routableEndpoints } from '../../../agent/discovery/iface.ts';
import { loadFleetKey } from '../../../agent/discovery/key.ts';
import { startRingd } from '../../support/ringd.ts';
import { tmpDir } from '../../support/tmp.ts';

test('only endpoints another host can reach are announced; a wildcard bind takes the interface address', () => {
  assert.deepEqual(routableEndpoints('tcp://0.0.0.0:5555', '10.1.2.3'), ['tcp://10.1.2.3:5555']);
  assert.deepEqual(routableEndpoints('tcp://*:5555', '10.1.2.3'), ['tcp://10.1.2.3:5555']);
  assert.deepEqual(routableEndpoints('tcp://10.9.9.9:5555', '10.1.2.3'), ['tcp://10.9.9.9:5555']);
  assert.deepEqual(routableEndpoints('tcp://ctl.example:5555', '10.1.2.3'), ['tcp://ctl.example:5555']);
  for (const local of ['tcp://127.0.0.1:5555', 'tcp://127.5.0.1:1', 'tcp://localhost:5555', 'tcp://[::1]:5555', 'ipc:///run/ringd.sock']) {
    assert.deepEqual(routableEndpoints(local, '10.1.2.3'), [], local);
  }
});

test('the agent id is [agent] id, else the short host name made subject-safe', () => {
  assert.equal(agentId('web-1', 'ignored'), 'web-1');
  assert.equal(agentId(undefined, 'web-1.par1.example.com'), 'web-1');
  assert.equal(agentId(undefined, 'db*1 >x'), 'db-1--x');
  assert.equal(agentId(undefined, '.'), 'ringd');
});

test('interface lookup by name or address, with a message listing what exists', () => {
  assert.deepEqual(resolveInterface('lo'), { name: 'lo', address: '127.0.0.1' });
  assert.deepEqual(resolveInterface('127.0.0.1'), { name: 'lo', address: '127.0.0.1' });
  assert.match((resolveInterface('nope9') as { error: string }).error, /^no running IPv4 interface named nope9 \(have: lo 127\.0\.0\.1.*\)$/);
  assert.match((resolveInterface('192.0.2.250') as { error: string }).error, /^no running interface has the address 192\.0\.2\.250 \(have: /);
});

test('announce intervals are jittered within ±20 %', () => {
  assert.equal(jittered(2000, 0.2, () => 0), 1600);
  assert.equal(jittered(2000, 0.2, () => 0.999999), 2400);
  assert.equal(jittered(2000, 0.2, () => 0.5), 2000);
});

test('the fleet key: whitespace trimmed, too short or missing refused, readable by others warned about', () => {
  const dir = tmpDir('ring-fleet-key');
  const file = join(dir, 'fleet.key');
  writeFileSync(file, '  0123456789abcdef-key \n', { mode: 0o600 });
  const ok = loadFleetKey(file);
  assert.equal(ok.key.toString(), '0123456789abcdef-key');
  assert.equal(ok.warning, undefined);
  chmodSync(file, 0o644);
  assert.match(loadFleetKey(file).warning ?? '', /readable by others \(mode 644\); chmod 600 it/);
  writeFileSync(file, 'short\n');
  assert.throws(() => loadFleetKey(file), /the key is 5 bytes, at least 16 are needed \(make one: head -c 32 \/dev\/urandom \| base64 >/);
  assert.throws(() => loadFleetKey(join(dir, 'missing.key')), /\[discovery\] key_file .*missing\.key: no such file/);
});

test('ringd refuses to start with an unusable fleet key, before binding anything', async () => {
  const dir = tmpDir('ring-fleet-key-ringd');
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `[agent]\nstate_dir = "${dir}/state"\nendpoint = "ipc://${dir}/ctl.sock"\n[discovery]\nkey_file = "absent.key"\n`);
  const ringd = startRingd(file);
  const [code] = (await once(ringd.child, 'exit')) as [number | null];
  assert.equal(code, 1);
  await ringd.waitForOutput(/cannot start: \[discovery\] key_file \S+absent\.key: no such file/);
  assert.doesNotMatch(ringd.output(), /control ipc/, 'nothing was bound');
});
