// Exercises test/support/nats.ts against real nats-server processes with the @nats-io v3 client.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type ConnectionOptions, type NatsConnection, type Status } from '@nats-io/transport-node';
import { startNats, startNatsCluster, type TestNats, type TestNatsCluster } from './nats.ts';
import { waitFor } from './wait.ts';

const conns: NatsConnection[] = [];
const servers: TestNats[] = [];
after(async () => {
  for (const nc of conns) await nc.close().catch(() => undefined);
  for (const s of servers) await s.stop();
});

async function open(opts: ConnectionOptions): Promise<NatsConnection> {
  const nc = await connect({ reconnectTimeWait: 250, ...opts });
  conns.push(nc);
  return nc;
}

/** Request with a short timeout, retried: interest crosses routes asynchronously and in-flight requests die with their server. */
function request(nc: NatsConnection, subject: string, text: string): Promise<string> {
  return waitFor(async () => (await nc.request(subject, text, { timeout: 2000 })).string(), {
    what: `a reply on ${subject}`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
}

/** Starts watching nc.status() now; resolves with the first event of the given type. */
function nextStatus(nc: NatsConnection, type: Status['type'], timeoutMs = 30_000): Promise<Status> {
  const events = nc.status();
  let timer: NodeJS.Timeout | undefined;
  const seen = (async () => {
    for await (const s of events) if (s.type === type) return s;
    throw new Error(`connection closed before a '${type}' status`);
  })();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no '${type}' status within ${timeoutMs}ms`)), timeoutMs);
  });
  return Promise.race([seen, timeout]).finally(() => clearTimeout(timer));
}

function echo(nc: NatsConnection, subject: string): void {
  nc.subscribe(subject, {
    callback: (err, m) => {
      if (!err) m.respond(m.data);
    },
  });
}

describe('startNats', () => {
  it('starts a private server: pub/sub round trip, restart on the same port and store', async () => {
    const s = await startNats({ jetstream: true, name: 'solo' });
    servers.push(s);
    assert.notEqual(s.port, 4222);
    assert.ok(s.pid > 0);
    assert.match(readFileSync(s.configFile, 'utf8'), new RegExp(`listen: "127.0.0.1:${s.port}"`));
    const jsz = await s.monitor<{ config: { store_dir: string } }>('/jsz');
    assert.ok(jsz.config.store_dir.startsWith(s.dir), jsz.config.store_dir);

    const nc = await open({ servers: s.url });
    assert.equal(nc.info?.server_name, 'solo');
    const sub = nc.subscribe('greet', { max: 1 });
    nc.publish('greet', 'hello');
    for await (const m of sub) assert.equal(m.string(), 'hello');
    await nc.close();

    const before = { port: s.port, monitorPort: s.monitorPort, pid: s.pid };
    await s.restart();
    assert.equal(s.port, before.port);
    assert.equal(s.monitorPort, before.monitorPort);
    assert.notEqual(s.pid, before.pid);
    assert.match(s.log(), /---- restart ----/);
    const again = await open({ servers: s.url });
    echo(again, 'ping');
    assert.equal(await request(again, 'ping', 'pong'), 'pong');
    await again.close();

    await s.stop();
    assert.equal(s.pid, 0);
    await assert.rejects(s.monitor('/healthz'));
  });

  it('appends extraConfig (here: token authorization)', async () => {
    const s = await startNats({ extraConfig: 'authorization { token: "s3cret" }' });
    servers.push(s);
    await assert.rejects(connect({ servers: s.url }), /authoriz/i);
    const nc = await open({ servers: s.url, token: 's3cret' });
    echo(nc, 'ping');
    assert.equal(await request(nc, 'ping', 'authorized'), 'authorized');
    await s.kill();
    assert.equal(s.pid, 0);
  });
});

describe('startNatsCluster (3 nodes, JetStream)', () => {
  let cluster: TestNatsCluster;
  before(async () => {
    cluster = await startNatsCluster(3, { jetstream: true });
    servers.push(...cluster.nodes);
  });

  it('forms a routed cluster with a JetStream meta leader', async () => {
    assert.equal(cluster.urls.length, 3);
    for (const node of cluster.nodes) {
      assert.equal((await node.monitor<{ num_routes: number }>('/routez')).num_routes, 2);
      assert.ok(existsSync(node.configFile));
    }
    const jsz = await cluster.nodes[0].monitor<{ meta_cluster: { leader: string; cluster_size: number } }>('/jsz');
    assert.ok(cluster.nodes.some((n) => n.name === jsz.meta_cluster.leader), jsz.meta_cluster.leader);
  });

  it('carries a request/reply from node 1 to node 3', async () => {
    const [n1, , n3] = cluster.nodes;
    const responder = await open({ servers: n3.url });
    assert.equal(responder.info?.server_name, n3.name);
    echo(responder, 'cross.echo');
    await responder.flush();
    const nc = await open({ servers: n1.url });
    assert.equal(nc.info?.server_name, n1.name);
    assert.equal(await request(nc, 'cross.echo', 'over the route'), 'over the route');
  });

  it('keeps a replicated KV bucket: put via node 1, get via node 3', async () => {
    const [n1, , n3] = cluster.nodes;
    const writer = await open({ servers: n1.url });
    const reader = await open({ servers: n3.url });
    const kvW = await openBucket(writer, 'procs');
    const kvR = await openBucket(reader, 'procs');
    await waitFor(() => kvW.put('node.a', 'up'), { what: 'a KV put', timeoutMs: 30_000, intervalMs: 250 });
    const entry = await waitFor(() => kvR.get('node.a'), { what: 'the KV entry on node 3', timeoutMs: 30_000 });
    assert.equal(entry.string(), 'up');
  });

  it('kill -9 of a node: its client reconnects to another node; restart() brings the node back', async () => {
    const [n1, , n3] = cluster.nodes;
    const responder = await open({ servers: n3.url });
    echo(responder, 'failover.echo');
    await responder.flush();
    const nc = await open({ servers: cluster.urls, noRandomize: true, maxReconnectAttempts: -1 });
    assert.equal(nc.info?.server_name, n1.name);
    assert.equal(await request(nc, 'failover.echo', 'before'), 'before');

    const reconnected = nextStatus(nc, 'reconnect');
    await n1.kill();
    assert.equal(n1.pid, 0);
    const status = await reconnected;
    assert.equal(status.type, 'reconnect');
    assert.notEqual(nc.info?.server_name, n1.name);
    assert.equal(await request(nc, 'failover.echo', 'after'), 'after');

    await n1.restart();
    assert.ok(n1.pid > 0);
    await waitFor(async () => (await n1.monitor<{ num_routes: number }>('/routez')).num_routes === 2, {
      what: `${n1.name} to route to both peers again`,
      timeoutMs: 30_000,
    });
    await cluster.ready();
    const back = await open({ servers: n1.url });
    assert.equal(back.info?.server_name, n1.name);
    assert.equal(await request(back, 'failover.echo', 'back'), 'back');
    const kv = await openBucket(back, 'procs');
    await waitFor(() => kv.put('node.a', 'again'), { what: 'a KV put after the restart', timeoutMs: 30_000, intervalMs: 250 });
    // Direct gets (allow_direct, the default) may be served by a replica that has not applied the put yet.
    await waitFor(async () => (await kv.get('node.a'))?.string() === 'again', { what: 'the new KV value', timeoutMs: 30_000 });
  });
});

/** Creates (or opens) an R3 bucket, retried: JetStream API calls time out while the cluster settles. */
function openBucket(nc: NatsConnection, name: string): Promise<KV> {
  const kvm = new Kvm(jetstream(nc, { timeout: 2000 }));
  return waitFor(() => kvm.create(name, { replicas: 3, history: 5 }), { what: `KV bucket ${name}`, timeoutMs: 60_000, intervalMs: 250 });
}
