// With JetStream on the server: the audit trail goes to a stream, and a restarted controller lists the fleet it knew at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { AGENTS_BUCKET, AUDIT_STREAM } from '../../controller/defaults.ts';
import type { AgentView } from '../../protocol/fleet/messages.ts';
import { waitFor } from '../support/wait.ts';
import { auditSubject } from '../../controller/persist.ts';
import { replicateControllerAssets } from '../../deploy/nats/jetstream.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';

describe('controller state in JetStream', () => {
  let nats: TestNats;
  let dir: string;
  let nc: NatsConnection;
  let agent: Ringd;
  const controllers: Ringmaster[] = [];

  before(async () => {
    nats = await startNats({ jetstream: true });
    dir = fleetDir('ring-persist');
    controllers.push(startRingmaster(dir, [nats.url], { id: 'ctl-1' }));
    agent = startFleetAgent(dir, [nats.url], { id: 'a1', labels: { role: 'api' } });
    nc = await fleetClient([nats.url]);
  });

  after(async () => {
    await nc?.close();
    await agent?.stop('SIGKILL');
    for (const c of controllers) await c.stop('SIGKILL');
    await nats?.stop();
  });

  it('mutating commands are audited in the RING_AUDIT stream, not the file', async () => {
    await controllers[0].waitForOutput(/JetStream: audit to stream RING_AUDIT, agent views in bucket ring_agents \(\d+ kept from before\)/);
    await waitFleet(nc, (s) => s.agents.some((a) => a.id === 'a1' && a.inventory !== null), 'a1 known');
    assert.equal((await api(nc, 'incr', { properties: { name: 'idle', waiting: true } })).status, 'ok');
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const m = await jsm.streams.getMessage(AUDIT_STREAM, { last_by_subj: auditSubject('ctl-1') });
    const entry = m!.json<Record<string, unknown>>();
    assert.equal(entry.command, 'incr');
    assert.deepEqual(entry.hosts, [{ host: 'a1', status: 'ok' }]);
    assert.equal(existsSync(join(dir, 'ctl-1-audit.jsonl')), false, 'the file is the fallback only');
  });

  it('a restarted controller lists the agents it knew before hearing from them', async () => {
    // The controller writes views in the background: wait until the bucket holds the one after the incr.
    const kv = await new Kvm(jetstream(nc, { timeout: 5000 })).open(AGENTS_BUCKET);
    await waitFor(async () => ((await kv.get('a1'))?.json<AgentView>().inventory?.watchers[0].numprocesses === 3) || undefined,
      { timeoutMs: 30_000, what: 'a1 with 3 processes in the bucket' });
    await agent.stop('SIGKILL');
    await controllers[0].stop('SIGKILL');
    controllers.push(startRingmaster(dir, [nats.url], { id: 'ctl-2' }));
    await controllers[1].waitForOutput(/agent views in bucket ring_agents \(1 kept from before\)/);
    const s = await waitFleet(nc, (x) => x.agents.length === 1, 'the kept agent listed');
    const a1 = s.agents[0];
    assert.equal(a1.id, 'a1');
    assert.deepEqual(a1.labels, { role: 'api' });
    assert.equal(a1.inventory?.watchers[0].name, 'idle');
    assert.equal(a1.inventory?.watchers[0].numprocesses, 3, 'the inventory as it was after the incr');
    await waitFleet(nc, (x) => x.agents[0]?.state === 'lost', 'a1 lost: no heartbeat since');
  });

  it('a single server cannot keep 3 replicas: a warning names why, and JetStream is still used with one', async () => {
    controllers.push(startRingmaster(dir, [nats.url], { id: 'ctl-3', controller: 'jetstream_replicas = 3' }));
    await controllers[2].waitForOutput(/JetStream: RING_AUDIT cannot have 3 replicas \(.+\); keeping what the servers allow/);
    await controllers[2].waitForOutput(/JetStream: audit to stream RING_AUDIT, agent views in bucket ring_agents \(\d+ kept from before\), 1 replica\(s\)/);
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    assert.equal((await jsm.streams.info(AUDIT_STREAM)).config.num_replicas, 1);
    await assert.rejects(replicateControllerAssets({ servers: [nats.url], replicas: 3 }), /^Error: RING_AUDIT: the server is not part of a cluster$/);
    assert.equal((await jsm.streams.info(AUDIT_STREAM)).config.num_replicas, 1, 'the server would have accepted 3 and kept one copy');
  });
});
