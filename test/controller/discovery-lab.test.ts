// A real ringmaster with discovery in a netns lab: it tells an agent without NATS servers where NATS is (the agent
// joins the fleet), and lists an agent it hears by multicast but never on NATS as `discovered`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetDelta } from '../../protocol/fleet/messages.ts';
import { fixturePath, labProcess, startLabAgent, type LabProcess } from '../support/discovery-lab.ts';
import { NATS_SERVER_BIN } from '../support/nats.ts';
import { createLab, netnsAvailable, type Lab } from '../support/netns.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;
const tsx = import.meta.resolve('tsx');
const RINGMASTER = fileURLToPath(new URL('../../controller/main.ts', import.meta.url));

describe('ringmaster and discovery across hosts', { skip }, () => {
  let lab: Lab;
  const running: LabProcess[] = [];
  after(async () => {
    for (const p of running.reverse()) await p.stop('SIGKILL');
    await lab?.teardown();
  });
  before(async () => {
    lab = await createLab(3);
  });

  it('an agent learns NATS from the controller and is alive; one heard only by multicast is discovered', async () => {
    const [h1, h2, h3] = lab.hosts;
    const dir = tmpDir('ring-ctl-discovery');
    const keyFile = join(dir, 'fleet.key');
    writeFileSync(keyFile, 'a-fleet-key-for-the-controller-lab\n', { mode: 0o600 });
    const url = `nats://${h3.addr}:14222`;
    writeFileSync(join(dir, 'nats.conf'), `listen: "${h3.addr}:14222"\n`);
    const server = labProcess(h3, NATS_SERVER_BIN, ['-c', join(dir, 'nats.conf')]);
    running.push(server);
    await server.waitOutput(/Server is ready/);
    const deltas = labProcess(h3, process.execPath, ['--import', tsx, fixturePath('nats-sub.ts'), url, 'ring.fleet.delta.*']);
    running.push(deltas);
    await deltas.waitOutput(/subscribed/);
    writeFileSync(join(dir, 'controller.toml'), `[controller]\nid = "ctl-lab"\naudit_file = "${dir}/audit.jsonl"\n` +
      `[nats]\nservers = ["${url}"]\n[discovery]\ninterface = "veth0"\nkey_file = "${keyFile}"\n`);
    const ctl = labProcess(h3, process.execPath, ['--import', tsx, RINGMASTER, '--config', join(dir, 'controller.toml')]);
    running.push(ctl);
    await ctl.waitOutput(/discovery: listening on [\d.:]+ via veth0 .*telling agents to use nats:\/\/[\d.]+:14222/);
    const key = `key_file = "${keyFile}"`;
    running.push(await startLabAgent(h1, dir, { id: 'learner', endpoint: `ipc://${dir}/learner.sock`, labels: { role: 'web' }, discovery: key }));
    running.push(await startLabAgent(h2, dir, {
      id: 'offline', endpoint: `ipc://${dir}/offline.sock`, discovery: `${key}\n[nats]\nservers = ["nats://${h3.addr}:1"]`,
    }));
    const views = () => deltas.output().split('\n').filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse((JSON.parse(l) as { data: string }).data) as FleetDelta).map((d) => d.agent);
    const learner = await waitFor(() => views().find((a) => a.id === 'learner' && a.state === 'alive' && a.address !== null),
      { timeoutMs: 60_000, what: `learner alive with its address\n${ctl.output()}` });
    assert.equal(learner.address, h1.addr);
    assert.deepEqual(learner.labels, { role: 'web' });
    const offline = await waitFor(() => views().find((a) => a.id === 'offline'), { timeoutMs: 60_000, what: 'offline listed' });
    assert.deepEqual([offline.state, offline.reason, offline.address], ['discovered', 'heard by multicast only: not on NATS', h2.addr]);
    assert.ok(!views().some((a) => a.id === 'offline' && a.state !== 'discovered'), 'never alive: it is not on NATS');
  });
});
