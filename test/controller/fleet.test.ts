// The fleet end to end on loopback: real nats-server, three real ringd agents, real ringmaster controllers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import type { AgentView, HostResult } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';

const byHost = (results: HostResult[]) => Object.fromEntries(results.map((r) => [r.host, r]));
const agentOf = (agents: AgentView[], id: string) => agents.find((a) => a.id === id);

describe('fleet over NATS', () => {
  let nats: TestNats;
  let dir: string;
  let nc: NatsConnection;
  const agents: Record<string, Ringd> = {};
  const controllers: Ringmaster[] = [];
  const start = (id: string, labels: Record<string, string>) => (agents[id] = startFleetAgent(dir, [nats.url], { id, labels }));

  before(async () => {
    nats = await startNats();
    dir = fleetDir('ring-fleet');
    controllers.push(startRingmaster(dir, [nats.url], { id: 'ctl-1' }));
    start('web-1', { role: 'web', dc: 'par1' });
    start('web-2', { role: 'web', dc: 'ams1' });
    start('db-1', { role: 'db', dc: 'par1' });
    nc = await fleetClient([nats.url]);
  });

  after(async () => {
    await nc?.close();
    for (const a of Object.values(agents)) await a.stop('SIGKILL');
    for (const c of controllers) await c.stop('SIGKILL');
    await nats?.stop();
  });

  it('fleet status returns every host, alive, with labels, counts and inventory', async () => {
    const s = await waitFleet(nc, (x) => ['db-1', 'web-1', 'web-2'].every((id) => agentOf(x.agents, id)?.inventory?.watchers.length === 1),
      'three agents with their inventory');
    for (const a of s.agents) {
      assert.equal(a.state, 'alive');
      assert.equal(a.processes, 2);
      assert.equal(a.inventory?.watchers[0].processes.length, 2);
    }
    assert.deepEqual(agentOf(s.agents, 'web-2')?.labels, { role: 'web', dc: 'ams1' });
    const one = await api(nc, 'status', { target: { hosts: ['web-1'] }, properties: { name: 'idle' } });
    assert.deepEqual([one.status, one.results[0].status, one.results[0].reply?.status], ['ok', 'ok', 'active'], 'status NAME replies its state in `status`');
    const hosts = await api(nc, 'hosts', { target: { labels: ['dc=par1'] } });
    assert.deepEqual(hosts.hosts?.map((h) => [h.id, h.state]), [['db-1', 'alive'], ['web-1', 'alive']]);
    const status = await api(nc, 'status');
    assert.equal(status.status, 'ok');
    assert.deepEqual(status.results.map((r) => [r.host, r.status, r.reply?.statuses]), [
      ['db-1', 'ok', { idle: 'active' }], ['web-1', 'ok', { idle: 'active' }], ['web-2', 'ok', { idle: 'active' }],
    ]);
  });

  it('a command targeted by label reaches only those hosts, and is audited', async () => {
    const h = headers();
    h.set('ring-client', 'alice@laptop ringctl');
    const m = await nc.request(subjects.api('incr'), JSON.stringify({ target: { labels: ['role=web'] }, properties: { name: 'idle', waiting: true } }), { timeout: 20_000, headers: h });
    const incr = m.json<{ status: string; results: HostResult[] }>();
    assert.equal(incr.status, 'ok');
    assert.deepEqual(incr.results.map((r) => r.host), ['web-1', 'web-2']);
    const n = await api(nc, 'numprocesses', { properties: { name: 'idle' } });
    assert.deepEqual(Object.fromEntries(n.results.map((r) => [r.host, r.reply?.numprocesses])), { 'db-1': 2, 'web-1': 3, 'web-2': 3 });
    // The audit line is appended once the reply is sent: wait for it.
    const trail = () => readFileSync(join(dir, 'ctl-1-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const entry = await waitFor(() => existsSync(join(dir, 'ctl-1-audit.jsonl')) && trail().find((e) => e.command === 'incr'), { timeoutMs: 10_000, what: 'incr in the audit trail' });
    const audit = trail();
    assert.equal(entry.who, 'alice@laptop ringctl');
    assert.deepEqual(entry.hosts, [{ host: 'web-1', status: 'ok' }, { host: 'web-2', status: 'ok' }]);
    assert.ok(!audit.some((e) => e.command === 'numprocesses' || e.command === 'status'), 'read-only commands are not audited');
  });

  it('bad requests get one error naming the problem and change nothing', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['frobnicate', {}, /unknown command "frobnicate"/],
      ['incr', { properties: { name: 'idle', nb: 'many' } }, /property 'nb' must be an integer/],
      ['incr', { target: { host: 'web-1' }, properties: { name: 'idle' } }, /unknown target key "host"/],
      ['incr', { target: { hosts: ['nope-*'] }, properties: { name: 'idle' } }, /no agent matches hosts nope-\* \(known agents: db-1, web-1, web-2\)/],
      ['status', { timeout_ms: -5 }, /timeout_ms must be an integer/],
      ['status', '{not json', /not JSON/],
    ];
    for (const [command, body, reason] of cases) {
      const m = await nc.request(subjects.api(command), typeof body === 'string' ? body : JSON.stringify(body), { timeout: 10_000 });
      const r = m.json<{ status: string; reason: string; results: unknown[] }>();
      assert.equal(r.status, 'error', `${command} ${JSON.stringify(body)}`);
      assert.match(r.reason, reason);
      assert.deepEqual(r.results, []);
    }
    const n = await api(nc, 'numprocesses', { properties: { name: 'idle' } });
    assert.deepEqual(n.results.map((r) => r.reply?.numprocesses), [2, 3, 3]);
  });

  it('malformed payloads on the agent subjects are ignored; the controller keeps serving', async () => {
    for (const subject of [subjects.heartbeat('web-1'), subjects.heartbeat('ghost'), subjects.event('web-1', 'idle', 'spawn'), subjects.fleetSnapshot]) {
      for (const payload of ['', '{', '[]', '{"v":1,"id":"web-1"}', '\u0000\u00ff', JSON.stringify({ v: 1, id: 'web-2', boot: 'x' })]) nc.publish(subject, payload);
    }
    await nc.flush();
    const s = await waitFleet(nc, (x) => x.agents.length === 3, 'the fleet view unchanged');
    assert.deepEqual(s.agents.map((a) => [a.id, a.state]), [['db-1', 'alive'], ['web-1', 'alive'], ['web-2', 'alive']]);
  });

  it('a hung agent yields a per-host timeout while the others answer', async () => {
    agents['db-1'].child.kill('SIGSTOP');
    try {
      const r = await api(nc, 'status', { timeout_ms: 1500 });
      assert.equal(r.status, 'partial');
      const hosts = byHost(r.results);
      assert.equal(hosts['web-1'].status, 'ok');
      assert.equal(hosts['web-2'].status, 'ok');
      assert.ok(['timeout', 'unreachable'].includes(hosts['db-1'].status), JSON.stringify(hosts['db-1']));
      assert.match(hosts['db-1'].reason ?? '', /no reply within 1\.5s|suspect|lost/);
    } finally {
      agents['db-1'].child.kill('SIGCONT');
    }
    await waitFleet(nc, (x) => agentOf(x.agents, 'db-1')?.state === 'alive', 'db-1 alive again');
  });

  it('kill -9 an agent: suspect, then lost; restarted: alive with a new boot id', async () => {
    const before = (await waitFleet(nc, (x) => agentOf(x.agents, 'web-2')?.state === 'alive', 'web-2 alive'));
    const boot = agentOf(before.agents, 'web-2')!.boot;
    const seen: string[] = [];
    const sub = nc.subscribe(subjects.fleetDelta('web-2'), { callback: (_e, m) => { seen.push(m.json<{ agent: AgentView }>().agent.state); } });
    await agents['web-2'].stop('SIGKILL');
    await waitFor(() => seen.includes('lost') || undefined, { timeoutMs: 30_000, what: 'web-2 lost' });
    assert.deepEqual(seen.filter((s, i) => s !== seen[i - 1]).slice(0, 2), ['suspect', 'lost']);
    const r = await api(nc, 'status', { target: { hosts: ['web-2'] } });
    assert.equal(r.results[0].status, 'unreachable');
    assert.match(r.results[0].reason ?? '', /^lost: no heartbeat for/);
    start('web-2', { role: 'web', dc: 'ams1' });
    const after = await waitFleet(nc, (x) => agentOf(x.agents, 'web-2')?.state === 'alive', 'web-2 alive again');
    assert.notEqual(agentOf(after.agents, 'web-2')?.boot, boot);
    sub.unsubscribe();
  });

  it('a clean stop says goodbye: left at once (never suspect first); back with a new boot, alive', async () => {
    const seen: string[] = [];
    const sub = nc.subscribe(subjects.fleetDelta('db-1'), { callback: (_e, m) => { seen.push(m.json<{ agent: AgentView }>().agent.state); } });
    await nc.flush();
    assert.equal(await agents['db-1'].stop('SIGTERM'), 0);
    await waitFor(() => seen.some((x) => x !== 'alive') || undefined, { timeoutMs: 30_000, what: 'db-1 leaving' });
    assert.equal(seen.find((x) => x !== 'alive'), 'left');
    const s = await waitFleet(nc, (x) => agentOf(x.agents, 'db-1')?.state === 'left', 'db-1 left');
    assert.equal(agentOf(s.agents, 'db-1')?.reason, 'said goodbye');
    start('db-1', { role: 'db', dc: 'par1' });
    await waitFleet(nc, (x) => agentOf(x.agents, 'db-1')?.state === 'alive', 'db-1 back');
    sub.unsubscribe();
  });

  it('with two controllers, either answers; kill one and the other still does', async () => {
    controllers.push(startRingmaster(dir, [nats.url], { id: 'ctl-2' }));
    for (const id of ['db-1', 'web-1', 'web-2']) await controllers[1].waitForOutput(new RegExp(`agent ${id}: new → alive`));
    const answeredBy = new Set<string>();
    await waitFor(async () => {
      answeredBy.add((await api(nc, 'hosts')).controller);
      return answeredBy.size === 2 || undefined;
    }, { timeoutMs: 30_000, what: 'both controllers answering' });
    await controllers[0].stop('SIGKILL');
    // Until the server has noticed the dead connection it may still route a request to its queue subscription.
    await waitFor(async () => {
      const connz = await nats.monitor<{ connections: { name?: string }[] }>('/connz');
      return !connz.connections.some((c) => c.name === 'ctl-1') || undefined;
    }, { timeoutMs: 30_000, what: 'ctl-1 gone from the server' });
    for (let i = 0; i < 5; i++) {
      const r = await api(nc, 'status');
      assert.equal(r.controller, 'ctl-2');
      assert.equal(r.results.length, 3);
    }
  });
});
