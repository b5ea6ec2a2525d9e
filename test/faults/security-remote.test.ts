// `add`, and `set` of what a watcher runs, from the network: refused unless [agent] allow_remote_add = true (Circus
// let any client run any command). A real ringd linked to a real nats-server: NATS requests (direct and through a
// fleet command, which reaches the agent on the same subject) are refused, harmless `set` options pass, the loopback endpoint keeps Circus's behaviour, and the
// switch (applied by a reload) opens NATS. Endpoint classification: only loopback and ipc:// count as this host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { endpointOrigin } from '../../agent/control/remote.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { NatsProbe, startLinkedRingd } from '../support/nats-probe.ts';
import { stopAllRingd, type RingdControl } from '../support/ringd-control.ts';
import { waitFor } from '../support/wait.ts';

const AGENT = 'sec1';
let nats: TestNats;
let ringd: RingdControl;
let probe: NatsProbe;
before(async () => {
  nats = await startNats();
  ringd = await startLinkedRingd(nats, '[watchers.web]\ncmd = "sleep 600"\n', { id: AGENT, prefix: 'fault-remote' });
  probe = await NatsProbe.connect(nats.url);
});
after(async () => {
  await probe?.close();
  await stopAllRingd();
  await nats?.stop();
});

const overNats = async (command: string, properties: Record<string, unknown>) =>
  probe.requestJson(subjects.ctl(AGENT, command), { command, properties });

test('control endpoints: loopback and ipc are this host, anything else is the network', () => {
  for (const e of ['tcp://127.0.0.1:5555', 'tcp://127.1.2.3:0', 'tcp://localhost:5555', 'tcp://[::1]:5555', 'ipc:///run/ringd.sock']) assert.equal(endpointOrigin(e).remote, false, e);
  for (const e of ['tcp://0.0.0.0:5555', 'tcp://*:5555', 'tcp://10.0.0.5:5555', 'tcp://[::]:5555', 'tcp://web-1:5555']) assert.equal(endpointOrigin(e).remote, true, e);
});

test('over NATS: add and set of cmd, env, hooks are refused with the reason; harmless set options pass', async () => {
  const add = await overNats('add', { name: 'evil', cmd: 'touch /tmp/ringmaster-remote-add', start: true, waiting: true });
  assert.equal(add.status, 'error');
  assert.equal(add.errno, 5);
  assert.match(String(add.reason), /^add refused: .*over NATS.*allow_remote_add = true/);
  for (const options of [{ cmd: 'sh -c id' }, { env: { X: '1' } }, { 'hooks.before_start': 'id' }, { uid: 0 }, { stdout_stream: { class: 'FileStream', filename: '/etc/x' } }]) {
    const r = await overNats('set', { name: 'web', options, waiting: true });
    assert.equal(r.status, 'error', JSON.stringify(options));
    assert.match(String(r.reason), /^set refused: \S+ may not be changed over NATS/);
  }
  assert.equal((await overNats('set', { name: 'web', options: { numprocesses: 2, graceful_timeout: 5 }, waiting: true })).status, 'ok');
  assert.deepEqual((await ringd.ok('list')).watchers, ['web'], 'nothing was added');
  assert.equal((await ringd.ok('get', { name: 'web', keys: ['cmd'] })).options && true, true);
  assert.match(ringd.ringd.output(), /add refused: /, 'the refusal is logged');
});

test('the loopback endpoint keeps Circus\'s behaviour; allow_remote_add = true (by reload) opens NATS', async () => {
  assert.equal((await ringd.ok('add', { name: 'local', cmd: 'sleep 601', waiting: true })).status, 'ok');
  writeFileSync(ringd.configPath, readFileSync(ringd.configPath, 'utf8').replace(`id = "${AGENT}"`, `id = "${AGENT}"\nallow_remote_add = true`));
  process.kill(ringd.pid, 'SIGHUP');
  await ringd.ringd.waitForOutput(/reloaded: /, 30_000);
  await waitFor(async () => (await overNats('add', { name: 'remote', cmd: 'sleep 602', waiting: true })).status === 'ok', { what: 'add over NATS once allowed', timeoutMs: 30_000 });
  // (the reload dropped `local`: a watcher added at run time lives until a reload that does not define it)
  assert.deepEqual(((await ringd.ok('list')).watchers as string[]).sort(), ['remote', 'web']);
});
