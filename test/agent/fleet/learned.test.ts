// An agent with no [nats] servers learns them from a controller's multicast announcement and connects at once, and
// announces the server it is connected to. Hosts are network namespaces (root only; skipped with the reason otherwise).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Heartbeat } from '../../../protocol/fleet/messages.ts';
import { DEFAULT_DISCOVERY_GROUP, DEFAULT_DISCOVERY_PORT } from '../../../agent/defaults.ts';
import { fixturePath, labProcess, startLabAgent, startLabListener, type LabListener, type LabProcess } from '../../support/discovery-lab.ts';
import { createLab, netnsAvailable, type Lab } from '../../support/netns.ts';
import { tmpDir } from '../../support/tmp.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;
const tsx = import.meta.resolve('tsx');

describe('NATS servers learned by discovery', { skip }, () => {
  let lab: Lab;
  const running: LabProcess[] = [];
  let listener: LabListener | undefined;
  before(async () => {
    lab = await createLab(2);
  });
  after(async () => {
    for (const p of running.reverse()) await p.stop('SIGKILL');
    await listener?.stop();
    await lab?.teardown();
  });

  it('connects to the URLs a controller announces and announces the server it is connected to', async () => {
    const [agentHost, ctlHost] = lab.hosts;
    const dir = tmpDir('ring-fleet-learned');
    const url = `nats://${ctlHost.addr}:14222`;
    const conf = join(dir, 'nats.conf');
    writeFileSync(conf, `listen: "${ctlHost.addr}:14222"\n`);
    const server = labProcess(ctlHost, 'nats-server', ['-c', conf]);
    running.push(server);
    await server.waitOutput(/Server is ready/);
    const sub = labProcess(ctlHost, process.execPath, ['--import', tsx, fixturePath('nats-sub.ts'), url, 'ring.agent.learner.hb']);
    running.push(sub);
    await sub.waitOutput(/subscribed/);
    listener = await startLabListener(ctlHost, []);
    const controller = labProcess(ctlHost, process.execPath, ['--import', tsx, fixturePath('discovery-controller.ts'), JSON.stringify({
      id: 'ctl-1', iface: ctlHost.iface, group: DEFAULT_DISCOVERY_GROUP, port: DEFAULT_DISCOVERY_PORT, nats: [url], intervalMs: 3_600_000,
    })]);
    running.push(controller);
    await controller.waitOutput(/announcing/);

    const agent = await startLabAgent(agentHost, dir, { id: 'learner', endpoint: `ipc://${dir}/learner-ctl.sock` });
    running.push(agent);
    await agent.waitOutput(/discovery: learned NATS servers nats:\/\/\S+ from controller ctl-1/);
    await agent.waitOutput(new RegExp(`NATS: connected to ${url.replaceAll('.', '\\.')} as "ringd-learner"`));
    const beat = await sub.waitOutput(/^\{"subject":"ring\.agent\.learner\.hb".*$/m);
    assert.equal((JSON.parse((JSON.parse(beat[0]) as { data: string }).data) as Heartbeat).id, 'learner');
    const seen = await listener.waitEvent((e) => 'peer' in e && e.peer.id === 'learner' && e.peer.nats.length > 0, 'learner announcing its NATS server');
    assert.deepEqual((seen as { peer: { nats: string[] } }).peer.nats, [url]);
  });
});
