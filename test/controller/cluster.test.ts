// The fleet on a three-node NATS cluster: agents and two controllers spread over the nodes, then a
// node killed with SIGKILL (clients fail over, no supervised process is touched, the API keeps
// answering), a controller killed (the other one answers everything), and the node restarted.
//
// Placement: nats.js shuffles the server list unless `noRandomize` is set, and [nats] has no key for
// that (agent/fleet/connect.ts never sets it), so the "preferred first server" of each agent and
// controller is only a preference. Where each one really is comes from the servers' /connz (client
// names `ringd-<id>`, `ctl-<n>`); the node to kill is chosen from it. When the draw leaves no node
// holding at least one agent and exactly one controller, ctl-2 is restarted with a single seed URL
// (it still learns the other nodes from the cluster's gossip) so that such a node exists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as pause } from 'node:timers/promises';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import type { AgentView, ApiReply, FleetSnapshot, Inventory } from '../../protocol/fleet/messages.ts';
import { API_QUEUE, subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetDir, startFleetAgent, startRingmaster, type Ringmaster } from '../support/fleet.ts';
import { startNatsCluster, type TestNats, type TestNatsCluster } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';

const AGENTS = ['a1', 'a2', 'a3'] as const;
const CLIENT = 'cluster-test';
const agentOf = (agents: AgentView[], id: string) => agents.find((a) => a.id === id);
const clientName = (id: string) => (id.startsWith('ctl-') ? id : `ringd-${id}`);
/** [n_i, n_i+1, ...]: every node, starting from the preferred one. */
const rotated = <T>(list: T[], first: number): T[] => [...list.slice(first), ...list.slice(0, first)];

interface Connz { server_id: string; connections: Array<{ name?: string }> }
interface Routez { routes: Array<{ remote_id: string; subscriptions_list_detail?: Array<{ subject: string; qgroup?: string }> }> }

describe('fleet on a three-node NATS cluster', { timeout: 600_000 }, () => {
  let cluster: TestNatsCluster;
  let dir: string;
  let nc: NatsConnection;
  let rejoined: NatsConnection | undefined;
  const agents: Record<string, Ringd> = {};
  const controllers: Record<string, Ringmaster> = {};
  const node = (i: number): TestNats => cluster.nodes[i];
  let victim = -1; // index of the node killed in test 2
  let inventories: Record<string, Inventory> = {};
  let boots: Record<string, string | null> = {};

  /** Client name → index of the node it is connected to, over the running nodes. */
  async function placement(): Promise<Map<string, number>> {
    const where = new Map<string, number>();
    for (const [i, n] of cluster.nodes.entries()) {
      if (n.pid === 0) continue;
      const connz = await n.monitor<Connz>('/connz?limit=4096');
      for (const c of connz.connections) if (c.name) where.set(c.name, i);
    }
    return where;
  }

  const describePlacement = (where: Map<string, number>) =>
    [...where].filter(([name]) => name !== `${CLIENT}-rejoin`).map(([name, i]) => `${name}@n${i + 1}`).sort().join(' ');

  /** Waits until each of `names` is connected to a running node; resolves with the placement. */
  function waitPlaced(names: string[], what: string, timeoutMs = 60_000): Promise<Map<string, number>> {
    return waitFor(async () => {
      const where = await placement();
      return names.every((n) => where.has(n)) && where;
    }, { what, timeoutMs, intervalMs: 100 });
  }

  /**
   * Asks for the fleet snapshot (served by whichever controller the queue group picks) until every
   * controller in `from` has answered with a snapshot satisfying `pred`; resolves with their snapshots.
   */
  async function waitEachController(from: string[], pred: (s: FleetSnapshot) => boolean, what: string, timeoutMs = 90_000): Promise<Record<string, FleetSnapshot>> {
    const got: Record<string, FleetSnapshot> = {};
    await waitFor(async () => {
      const s = (await nc.request(subjects.fleetSnapshot, '', { timeout: 5000 })).json<FleetSnapshot>();
      if (from.includes(s.controller) && pred(s)) got[s.controller] = s;
      return from.every((c) => got[c]);
    }, { what: `fleet snapshot from each of ${from.join(', ')}: ${what} (so far from ${Object.keys(got).join(', ') || 'none'})`, timeoutMs, intervalMs: 50 });
    return got;
  }

  const fleetFormed = (s: FleetSnapshot) => AGENTS.every((id) => {
    const a = agentOf(s.agents, id);
    return a?.state === 'alive' && a.inventory?.watchers[0]?.processes.length === 2;
  });

  /** The inventory of every agent, through the fleet API (asserted complete and ok). */
  async function fleetInventories(): Promise<Record<string, Inventory>> {
    const r = await api(nc, 'inventory');
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.deepEqual(r.results.map((x) => x.host), [...AGENTS]);
    return Object.fromEntries(r.results.map((x) => [x.host, (x.reply as { inventory: Inventory }).inventory]));
  }

  function assertStatusOk(r: ApiReply, by: string[]): void {
    assert.ok(by.includes(r.controller), `answered by ${r.controller}, expected one of ${by.join(', ')}`);
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.deepEqual(r.results.map((x) => [x.host, x.status, x.reply?.statuses]), AGENTS.map((id) => [id, 'ok', { idle: 'active' }]));
  }

  before(async () => {
    cluster = await startNatsCluster(3);
    dir = fleetDir('ring-cluster');
    controllers['ctl-1'] = startRingmaster(dir, rotated(cluster.urls, 0), { id: 'ctl-1' });
    controllers['ctl-2'] = startRingmaster(dir, rotated(cluster.urls, 1), { id: 'ctl-2' });
    AGENTS.forEach((id, i) => (agents[id] = startFleetAgent(dir, rotated(cluster.urls, i), { id, labels: { node: `n${i + 1}` } })));
    // The test's own client is the only one that can honour a preferred server: n3 first.
    nc = await connect({ servers: rotated(cluster.urls, 2), noRandomize: true, name: CLIENT, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  });

  // On a failure, the NATS and fleet lines of every agent and controller are printed, to tell what happened when.
  let failed = false;
  const step = (name: string, fn: () => Promise<void>) => it(name, async () => {
    try {
      await fn();
    } catch (err) {
      failed = true;
      throw err;
    }
  });

  after(async () => {
    if (failed) {
      for (const [id, p] of [...Object.entries(agents), ...Object.entries(controllers)]) {
        console.log(`--- ${id}:\n${p.output().split('\n').filter((l) => /NATS|agent a\d|error/.test(l)).slice(-40).join('\n')}`);
      }
    }
    const quietly = async (what: string, f: () => Promise<unknown> | undefined) => {
      try {
        await f();
      } catch (err) {
        console.error(`cleanup of ${what}: ${(err as Error).message}`);
      }
    };
    await quietly('the rejoin client', () => rejoined?.close());
    await quietly('the test client', () => nc?.close());
    await Promise.all(Object.entries(agents).map(([id, a]) => quietly(id, () => a.stop('SIGKILL'))));
    await Promise.all(Object.entries(controllers).map(([id, c]) => quietly(id, () => c.stop('SIGKILL'))));
    await quietly('the NATS cluster', () => cluster?.stop());
  });

  step('the fleet forms: both controllers list a1..a3 alive with inventories; status answers for all three', async () => {
    const snaps = await waitEachController(['ctl-1', 'ctl-2'], fleetFormed, 'a1..a3 alive with their inventory');
    for (const s of Object.values(snaps)) {
      assert.deepEqual(s.agents.map((a) => [a.id, a.state, a.processes]), AGENTS.map((id) => [id, 'alive', 2]));
      for (const id of AGENTS) {
        const inv = agentOf(s.agents, id)!.inventory!;
        assert.equal(inv.id, id);
        assert.deepEqual(inv.watchers.map((w) => [w.name, w.numprocesses]), [['idle', 2]]);
        assert.ok(inv.watchers[0].processes.every((p) => p.state === 'running' && (p.pid ?? 0) > 0), JSON.stringify(inv));
      }
      assert.deepEqual(agentOf(s.agents, 'a2')?.labels, { node: 'n2' });
    }
    assertStatusOk(await api(nc, 'status'), ['ctl-1', 'ctl-2']);
    const where = await waitPlaced([...AGENTS.map(clientName), 'ctl-1', 'ctl-2', CLIENT], 'every client on a node');
    assert.equal(where.get(CLIENT), 2, 'the test client (noRandomize) is on n3');
    console.log(`# placement: ${describePlacement(where)}`);
  });

  step('kill -9 a NATS node: clients fail over, no process restarts, the API keeps answering', async () => {
    let where = await waitPlaced([...AGENTS.map(clientName), 'ctl-1', 'ctl-2', CLIENT], 'every client on a node');
    const at = (i: number, names: string[]) => names.filter((n) => where.get(n) === i);
    const candidates = () => [0, 1, 2]
      .filter((i) => at(i, AGENTS.map(clientName)).length > 0 && at(i, ['ctl-1', 'ctl-2']).length === 1)
      .sort((x, y) => Number(x === where.get(CLIENT)) - Number(y === where.get(CLIENT))); // spare the test client's node if possible
    if (candidates().length === 0) {
      // Both controllers share a node, or no agent is on a controller's node: move ctl-2 next to an agent, away from ctl-1.
      const ctl1 = where.get('ctl-1')!;
      const agentNodes = [0, 1, 2].filter((i) => at(i, AGENTS.map(clientName)).length > 0);
      const target = agentNodes.find((i) => i !== ctl1) ?? [0, 1, 2].find((i) => i !== ctl1)!;
      console.log(`# placement ${describePlacement(where)} has no node with an agent and one controller: ctl-2 moves to n${target + 1}`);
      await controllers['ctl-2'].stop('SIGTERM');
      controllers['ctl-2'] = startRingmaster(dir, [node(target).url], { id: 'ctl-2' });
      await waitEachController(['ctl-2'], fleetFormed, 'the moved ctl-2 sees a1..a3 alive with their inventory');
      where = await waitPlaced(['ctl-2'], 'ctl-2 connected');
      assert.equal(where.get('ctl-2'), target);
    }
    victim = candidates()[0];
    assert.ok(victim >= 0, `no node holds an agent and exactly one controller: ${describePlacement(where)}`);
    const everyone = [...AGENTS.map(clientName), 'ctl-1', 'ctl-2', CLIENT];
    const moved = everyone.filter((n) => where.get(n) === victim);
    console.log(`# killing n${victim + 1}, which holds ${moved.join(', ')}`);

    // What must not change: every supervised pid (the whole inventory, revision included), ringd itself, its boot id.
    inventories = await fleetInventories();
    const s0 = (await nc.request(subjects.fleetSnapshot, '', { timeout: 10_000 })).json<FleetSnapshot>();
    boots = Object.fromEntries(AGENTS.map((id) => [id, agentOf(s0.agents, id)!.boot]));
    const ringdPids = Object.fromEntries(AGENTS.map((id) => [id, agents[id].child.pid]));

    // A stream of fleet requests across the kill (paced at 50 ms so it does not load the VM; the pace is not a wait).
    // Per-host timeout 2 s: an agent that is away answers "timeout"/"unreachable" inside a reply, which is allowed here.
    const outcomes: Array<{ reply?: ApiReply; error?: Error; afterKill: boolean }> = [];
    let killed = false;
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const afterKill = killed;
        try {
          outcomes.push({ reply: await api(nc, 'status', { timeout_ms: 2000 }, 10_000), afterKill });
        } catch (err) {
          outcomes.push({ error: err as Error, afterKill });
        }
        await pause(50);
      }
    })();
    try {
      await waitFor(() => outcomes.filter((o) => o.reply?.status === 'ok').length >= 3 || undefined, { what: 'the request stream to run', timeoutMs: 60_000 });

      await node(victim).kill();
      killed = true;
      // Every client that was on the victim comes back on a surviving node (the victim is down, so wherever they are is elsewhere).
      where = await waitPlaced(everyone, `${moved.join(', ')} reconnected to the surviving nodes`);
      for (const name of everyone) assert.notEqual(where.get(name), victim, name);
      console.log(`# after the kill: ${describePlacement(where)}`);
      // Reconnected clients resend their subscriptions before publishing, so a heartbeat a controller receives from now on
      // proves the agent's ctl subscription reached that controller's server: wait for one from every agent at both.
      const back = Date.now();
      await waitEachController(['ctl-1', 'ctl-2'], (s) => AGENTS.every((id) => {
        const a = agentOf(s.agents, id);
        return a?.state === 'alive' && (a.last_heartbeat ?? 0) > back;
      }), 'a heartbeat from every agent after the reconnection');
    } finally {
      streaming = false; // also on a failure above, so the stream cannot outlive the test
      await stream;
    }

    // The request stream: only the one request sent at the moment of the kill may be lost. Usually it is lost in flight
    // and fails at its timeout; when the client's server had just picked the queue interest of the dead route (and
    // finds the route closed before it dropped its interest), it answers "no responders" at once instead, even with a
    // live controller elsewhere (reproduced with bare nats.js clients: nats-server 2.9 does not fall back to another
    // queue member).
    const failures = outcomes.filter((o) => o.error);
    const tally = (f: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter((o) => o.afterKill && f(o)).length;
    console.log(`# request stream: ${outcomes.length} requests, after the kill: ${tally((o) => o.reply?.status === 'ok')} ok, ` +
      `${tally((o) => o.reply?.status === 'partial')} partial, ${tally((o) => o.reply?.status === 'error')} error; ` +
      `${failures.length} failed (${failures.map((f) => f.error?.message).join('; ') || 'none'})`);
    assert.ok(failures.length <= 1, `${failures.length} requests failed: ${failures.map((f) => f.error?.message).join('; ')}`);
    for (const f of failures) {
      const e = f.error as Error & { cause?: unknown };
      const lost = e instanceof errors.TimeoutError || e.cause instanceof errors.TimeoutError || (e instanceof errors.RequestError && e.isNoResponders());
      assert.ok(lost, `not a lost request (timeout or no responders): ${e.stack}`);
    }
    assert.ok(outcomes.some((o) => o.afterKill && o.reply), 'a request sent after the kill was answered');
    // Every answer is a real fan-out: one result per agent, each ok or, for an agent still reconnecting, timeout/unreachable
    // (when every agent was on the killed node, a reply may have none ok: status "error", "no agent succeeded").
    for (const o of outcomes.filter((x) => x.reply)) {
      const r = o.reply!;
      assert.deepEqual(r.results.map((x) => x.host), [...AGENTS], JSON.stringify(r));
      assert.ok(r.results.every((x) => ['ok', 'timeout', 'unreachable'].includes(x.status)), JSON.stringify(r));
      assert.equal(r.status, r.results.every((x) => x.status === 'ok') ? 'ok' : r.results.some((x) => x.status === 'ok') ? 'partial' : 'error', JSON.stringify(r));
    }

    // After the reconnection: no retries.
    for (let i = 0; i < 4; i++) assertStatusOk(await api(nc, 'status'), ['ctl-1', 'ctl-2']);
    assert.deepEqual(await fleetInventories(), inventories, 'no supervised process was restarted (same pids, same revision)');
    for (const inv of Object.values(inventories)) for (const p of inv.watchers[0].processes) process.kill(p.pid!, 0); // still running
    for (const id of AGENTS) {
      assert.equal(agents[id].child.exitCode, null, `ringd ${id} is still running`);
      assert.equal(agents[id].child.pid, ringdPids[id]);
    }
    const s1 = (await nc.request(subjects.fleetSnapshot, '', { timeout: 10_000 })).json<FleetSnapshot>();
    assert.deepEqual(Object.fromEntries(AGENTS.map((id) => [id, agentOf(s1.agents, id)!.boot])), boots, 'no ringd restarted (same boot ids)');
    for (const id of ['ctl-1', 'ctl-2']) assert.equal(controllers[id].child.exitCode, null, `${id} is still running`);
  });

  step('kill -9 the controller ctl-1: ctl-2 answers every request, with every host ok', async () => {
    assert.ok(victim >= 0, 'needs the node killed by the previous test');
    await controllers['ctl-1'].stop('SIGKILL');
    // Wait until no server still routes ring.api.* to a node where only ctl-1 served: the client's node must see the
    // controllers' queue interest on the route to ctl-2's node only (or on none, when ctl-2 is on the client's node).
    const serverIds = new Map<number, string>();
    await waitFor(async () => {
      const where = await placement();
      if (where.has('ctl-1') || !where.has('ctl-2') || !where.has(CLIENT)) return false;
      for (const [i, n] of cluster.nodes.entries()) if (n.pid > 0) serverIds.set(i, (await n.monitor<Connz>('/connz?limit=1')).server_id);
      const clientNode = where.get(CLIENT)!;
      const ctl2Node = where.get('ctl-2')!;
      const routez = await node(clientNode).monitor<Routez>('/routez?subs=detail');
      const servingRoutes = routez.routes
        .filter((r) => r.subscriptions_list_detail?.some((s) => s.subject === subjects.apiAll && s.qgroup === API_QUEUE))
        .map((r) => r.remote_id);
      const expected = ctl2Node === clientNode ? [] : [serverIds.get(ctl2Node)];
      return JSON.stringify(servingRoutes) === JSON.stringify(expected);
    }, { what: 'ctl-1 gone from every server and from the routes', timeoutMs: 30_000, intervalMs: 50 });

    for (let i = 0; i < 6; i++) assertStatusOk(await api(nc, 'status'), ['ctl-2']);
    const hosts = await api(nc, 'hosts');
    assert.equal(hosts.controller, 'ctl-2');
    assert.deepEqual(hosts.hosts?.map((h) => [h.id, h.state]), AGENTS.map((id) => [id, 'alive']));
    const s = (await nc.request(subjects.fleetSnapshot, '', { timeout: 10_000 })).json<FleetSnapshot>();
    assert.equal(s.controller, 'ctl-2');
    assert.deepEqual(s.agents.map((a) => [a.id, a.state]), AGENTS.map((id) => [id, 'alive']));
  });

  step('the killed NATS node restarts and rejoins; everything still answers, through it too', async () => {
    assert.ok(victim >= 0, 'needs the node killed by test 2');
    await node(victim).restart();
    await cluster.ready();
    assertStatusOk(await api(nc, 'status'), ['ctl-2']);

    // A client on the restarted node only: once the cluster's interest reached that node, the API answers through it.
    rejoined = await connect({ servers: [node(victim).url], noRandomize: true, name: `${CLIENT}-rejoin` });
    await waitFor(async () => (await rejoined!.request(subjects.fleetSnapshot, '', { timeout: 5000 })).json<FleetSnapshot>().agents.length === 3,
      { what: `a fleet snapshot through the restarted n${victim + 1}`, timeoutMs: 60_000, intervalMs: 100 });
    const viaRestarted = (await rejoined.request(subjects.api('status'), '{}', { timeout: 30_000 })).json<ApiReply>();
    assertStatusOk(viaRestarted, ['ctl-2']);

    assertStatusOk(await api(nc, 'status'), ['ctl-2']);
    assert.deepEqual(await fleetInventories(), inventories, 'still no supervised process restarted');
    const s = (await nc.request(subjects.fleetSnapshot, '', { timeout: 10_000 })).json<FleetSnapshot>();
    assert.deepEqual(s.agents.map((a) => [a.id, a.state, a.boot]), AGENTS.map((id) => [id, 'alive', boots[id]]));
  });
});
