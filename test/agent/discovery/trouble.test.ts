// Discovery when the network is not as configured: a missing interface, an address that goes away,
// no fleet key, and a reload that changes what is announced. ringd keeps supervising through all of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiscoveryView } from '../../../protocol/agent-api.ts';
import type { Peer } from '../../../controller/discovery/listener.ts';
import { labProcess, RINGD_MAIN, startLabListener, type LabListener, type LabProcess } from '../../support/discovery-lab.ts';
import { createLab, netnsAvailable, type Lab } from '../../support/netns.ts';
import { tmpDir } from '../../support/tmp.ts';
import { waitFor } from '../../support/wait.ts';
import { ControlClient } from '../../support/zmq.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;

const ip = (args: string[]) => {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
};

describe('discovery trouble', { skip }, () => {
  let lab: Lab;
  let dir: string;
  let ringd: LabProcess;
  let listener: LabListener;
  let client: ControlClient;
  let file: string;
  const config = (iface: string, labels: string, extra = '') => `[agent]
id = "api-1"
state_dir = "${dir}/state"
endpoint = "ipc://${dir}/ctl.sock"
pubsub_endpoint = "ipc://${dir}/events.sock"
stats_endpoint = "ipc://${dir}/stats.sock"
labels = { ${labels} }

[discovery]
interface = "${iface}"
announce_interval = "1s"
${extra}

[watchers.idle]
cmd = "sleep 600"
`;
  const discovery = async () => (await client.call('discovery')).discovery as DiscoveryView;

  before(async () => {
    lab = await createLab(2);
    dir = tmpDir('ring-discovery-trouble');
    file = join(dir, 'ringd.toml');
    client = new ControlClient(`ipc://${dir}/ctl.sock`);
  });

  after(async () => {
    client?.close();
    await ringd?.stop('SIGKILL');
    await listener?.stop();
    await lab?.teardown();
  });

  it('a missing interface is a warning and a retry, not a failure; discovery starts once the interface appears', async () => {
    const [h1, h2] = lab.hosts;
    listener = await startLabListener(h2, []);
    writeFileSync(file, config('extra0', 'role = "api"'));
    ringd = labProcess(h1, process.execPath, ['--import', import.meta.resolve('tsx'), RINGD_MAIN, '--config', file]);
    await ringd.waitOutput(/discovery: no running IPv4 interface named extra0 \(have: lo 127\.0\.0\.1, veth0 10\.213\.\d+\.1\); retrying every 5s \(supervision is not affected\)/);
    await ringd.waitOutput(/idle\.1: spawned pid \d+/);
    const d = await discovery();
    assert.equal(d.state, 'retrying');
    assert.match(d.reason ?? '', /extra0/);
    // The interface shows up (a veth pair inside the host):
    ip(['-n', h1.ns, 'link', 'add', 'extra0', 'type', 'veth', 'peer', 'name', 'extra1']);
    ip(['-n', h1.ns, 'addr', 'add', '10.99.0.1/24', 'dev', 'extra0']);
    ip(['-n', h1.ns, 'link', 'set', 'extra0', 'up']);
    ip(['-n', h1.ns, 'link', 'set', 'extra1', 'up']); // carrier: an interface without one is not running
    await ringd.waitOutput(/discovery: announcing api-1 on [\d.:]+ via extra0 \(10\.99\.0\.1\)/, 30_000);
    assert.equal((await discovery()).state, 'running');
  });

  it('without a fleet key it works unsigned and says so once', async () => {
    const matches = ringd.output().match(/discovery is not signed/g) ?? [];
    assert.equal(matches.length, 1);
    assert.equal((await discovery()).signed, false);
  });

  it('a reload that changes the labels or the interface restarts discovery; listeners see the change at once', async () => {
    writeFileSync(file, config('veth0', 'role = "api", tier = "gold"'));
    ringd.child.kill('SIGHUP');
    const seen = await listener.waitEvent((e) => e.event === 'seen' && (e as { peer: Peer }).peer.id === 'api-1', 'api-1 seen');
    assert.deepEqual((seen as { peer: Peer }).peer.labels, { role: 'api', tier: 'gold' });
    const from = listener.events().length;
    writeFileSync(file, config('veth0', 'role = "api", tier = "silver"'));
    ringd.child.kill('SIGHUP');
    const changed = await listener.waitEvent((e) => e.event === 'changed', 'api-1 changed', { from });
    assert.deepEqual((changed as { peer: Peer }).peer.labels, { role: 'api', tier: 'silver' });
    assert.ok(!listener.events().slice(from).some((e) => e.event === 'left'), 'a reload is not a departure: no goodbye');
  });

  it('a reload naming a missing fleet key is refused and the running discovery kept', async () => {
    const before = await discovery();
    writeFileSync(file, config('veth0', 'role = "api", tier = "silver"', `key_file = "${dir}/absent.key"`));
    ringd.child.kill('SIGHUP');
    await ringd.waitOutput(/reload refused, keeping the running configuration:\n\[discovery\] key_file \S+absent\.key: no such file/);
    const after = await discovery();
    assert.equal(after.state, 'running');
    assert.equal(after.signed, false);
    assert.equal(after.boot, before.boot);
    assert.ok(after.announced >= before.announced, 'the same discovery carries on');
  });

  it('the address going away makes sends fail with a warning; supervision and the control endpoint carry on', async () => {
    const h1 = lab.hosts[0];
    ip(['-n', h1.ns, 'addr', 'del', `${h1.addr}/24`, 'dev', 'veth0']);
    await waitFor(async () => (await discovery()).send_errors > 0 || undefined, { timeoutMs: 30_000, what: 'a failed send being counted' });
    await ringd.waitOutput(/discovery: cannot send to 239\.255\.82\.77:12028: /);
    assert.equal((await client.call('status')).status, 'ok');
    assert.equal(ringd.child.exitCode, null);
    ip(['-n', h1.ns, 'addr', 'add', `${h1.addr}/24`, 'dev', 'veth0']);
    ip(['-n', h1.ns, 'route', 'replace', '224.0.0.0/4', 'dev', 'veth0']);
    const before = (await discovery()).sent;
    await waitFor(async () => (await discovery()).sent > before + 1 || undefined, { timeoutMs: 30_000, what: 'sends working again' });
  });
});
