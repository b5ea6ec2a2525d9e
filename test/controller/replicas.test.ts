// [controller] jetstream_replicas on a real 3-node JetStream cluster: a controller creates the audit stream and the
// agents bucket with its count, raises an existing one to it, never lowers one; deploy/nats/jetstream.ts sets it exactly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { AGENTS_BUCKET, AUDIT_STREAM } from '../../controller/defaults.ts';
import { replicateControllerAssets } from '../../deploy/nats/jetstream.ts';
import { fleetClient, fleetDir, startRingmaster, type Ringmaster } from '../support/fleet.ts';
import { startNatsCluster, type TestNatsCluster } from '../support/nats.ts';

const STREAMS = [AUDIT_STREAM, `KV_${AGENTS_BUCKET}`];
const READY = /JetStream: audit to stream RING_AUDIT, agent views in bucket ring_agents \(\d+ kept from before\), (\d+) replica\(s\)/;

describe('jetstream_replicas on a 3-node cluster', () => {
  let cluster: TestNatsCluster;
  let dir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const running: Ringmaster[] = [];

  before(async () => {
    cluster = await startNatsCluster(3, { jetstream: true });
    dir = fleetDir('ring-replicas');
    nc = await fleetClient(cluster.urls);
    jsm = await jetstreamManager(nc, { timeout: 10_000 });
  });
  after(async () => {
    await nc?.close();
    for (const c of running) await c.stop('SIGKILL');
    await cluster?.stop();
  });

  /** Starts a controller, waits until it uses JetStream, stops it; resolves with its output. */
  async function runController(id: string, controller = ''): Promise<string> {
    const c = startRingmaster(dir, cluster.urls, { id, controller });
    running.push(c);
    await c.waitForOutput(READY, 60_000);
    await c.stop('SIGTERM');
    return c.output();
  }
  const replicas = async () => Promise.all(STREAMS.map(async (s) => (await jsm.streams.info(s)).config.num_replicas));

  it('a controller with the default creates both with one replica', async () => {
    const out = await runController('ctl-default');
    assert.match(out, /JetStream: RING_AUDIT: created with 1 replica\(s\)/);
    assert.deepEqual(await replicas(), [1, 1]);
  });

  it('jetstream_replicas = 3 raises both to three, and the controller says so', async () => {
    const out = await runController('ctl-three', 'jetstream_replicas = 3');
    assert.match(out, /JetStream: RING_AUDIT: 1 → 3 replica\(s\)/);
    assert.match(out, /JetStream: KV_ring_agents: 1 → 3 replica\(s\)/);
    assert.equal(READY.exec(out)?.[1], '3');
    assert.deepEqual(await replicas(), [3, 3]);
  });

  it('a controller asking for fewer leaves three', async () => {
    const out = await runController('ctl-default-again');
    assert.doesNotMatch(out, /→/, 'nothing was changed');
    assert.equal(READY.exec(out)?.[1], '3');
    assert.deepEqual(await replicas(), [3, 3]);
  });

  it('deploy/nats/jetstream.ts sets the count exactly, lowering it too', async () => {
    const lines = await replicateControllerAssets({ servers: cluster.urls, replicas: 1 });
    assert.deepEqual(lines, ['RING_AUDIT: 3 → 1 replica(s)', 'KV_ring_agents: 3 → 1 replica(s)']);
    assert.deepEqual(await replicas(), [1, 1]);
  });
});
