// Discovery between "hosts" (network namespaces): three ringd agents and a listener on a fourth host.
// Announce on start, answers to queries, goodbye on SIGTERM, partitions, the Circus probe, NATS bootstrap.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Peer } from '../../../controller/discovery/listener.ts';
import { DEFAULT_DISCOVERY_GROUP, DEFAULT_DISCOVERY_PORT } from '../../../agent/defaults.ts';
import { sameData } from '../../../agent/equal.ts';
import { encodeDatagram } from '../../../protocol/discovery/codec.ts';
import { emptyDropCounts, type Announce, type DropReason } from '../../../protocol/discovery/types.ts';
import {
  fixturePath, labProcess, RINGCTL, startLabAgent, startLabListener, type LabListener, type LabProcess,
} from '../../support/discovery-lab.ts';
import { createLab, netnsAvailable, type Lab } from '../../support/netns.ts';
import { tmpDir } from '../../support/tmp.ts';
import { ControlClient } from '../../support/zmq.ts';
import { waitFor } from '../../support/wait.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;
const GROUP = `${DEFAULT_DISCOVERY_GROUP}:${DEFAULT_DISCOVERY_PORT}`;

describe('discovery across network namespaces', { skip }, () => {
  let lab: Lab;
  let dir: string;
  let keyFile: string;
  const agents: Record<string, LabProcess> = {};
  let listener: LabListener;
  const clients: ControlClient[] = [];
  const ipc = (id: string) => `ipc://${dir}/${id}-ctl.sock`;
  const control = (id: string) => {
    const c = new ControlClient(ipc(id));
    clients.push(c);
    return c;
  };
  const peerOf = (id: string) => (e: { event: string; peer?: Peer }) => e.peer?.id === id;

  before(async () => {
    lab = await createLab(4);
    dir = tmpDir('ring-discovery');
    keyFile = join(dir, 'fleet.key');
    writeFileSync(keyFile, 'c2VjcmV0LWZsZWV0LWtleS1mb3ItdGVzdHMtb25seQ==\n', { mode: 0o600 });
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const a of Object.values(agents)) await a.stop('SIGKILL');
    await listener?.stop();
    await lab?.teardown();
  });

  it('a listener started first sees each agent from its first announcement, with id, addresses and labels', async () => {
    const [h1, h2, h3, h4] = lab.hosts;
    listener = await startLabListener(h4, ['--key-file', keyFile]);
    const key = `key_file = "${keyFile}"`;
    [agents.h1, agents.h2, agents.h3] = await Promise.all([
      startLabAgent(h1, dir, { id: 'web-1', endpoint: 'tcp://0.0.0.0:5555', labels: { role: 'web', dc: 'par1' }, discovery: key }),
      startLabAgent(h2, dir, { id: 'db-1', endpoint: ipc('db-1'), labels: { role: 'db' }, discovery: key }),
      startLabAgent(h3, dir, { id: 'web-2', endpoint: ipc('web-2'), labels: { role: 'web' }, discovery: key }),
    ]);
    const seen = await Promise.all(['web-1', 'db-1', 'web-2'].map((id) =>
      listener.waitEvent((e) => e.event === 'seen' && peerOf(id)(e), `${id} seen`)));
    const [web1, db1, web2] = seen.map((e) => (e as { peer: Peer }).peer);
    assert.deepEqual([web1.address, db1.address, web2.address], [h1.addr, h2.addr, h3.addr]);
    assert.deepEqual(web1.ctl, [`tcp://${h1.addr}:5555`], 'a wildcard bind is announced with the interface address');
    assert.deepEqual(db1.ctl, [], 'an ipc endpoint is not reachable from other hosts, so none is announced');
    assert.deepEqual([web1.labels, db1.labels, web2.labels], [{ role: 'web', dc: 'par1' }, { role: 'db' }, { role: 'web' }]);
    for (const p of [web1, db1, web2]) {
      assert.equal(p.role, 'agent');
      assert.equal(p.signed, true);
      assert.equal(p.state, 'alive');
      assert.equal(p.watchers, 1);
      assert.equal(p.announce_interval, 2000);
      assert.equal(p.seq, 1, `${p.id} was seen from the announcement it sends at start, not a later one`);
    }
  });

  it('a listener started later learns every agent at once by asking (well within one announce interval)', async () => {
    const r = await lab.hosts[3].run(process.execPath, [RINGCTL, 'discover', '--json', '--interface', 'veth0', '--key-file', keyFile, '--timeout', '1s']);
    assert.equal(r.code, 0, r.stderr);
    const { peers } = JSON.parse(r.stdout) as { peers: Peer[] };
    assert.deepEqual(peers.map((p) => p.id), ['db-1', 'web-1', 'web-2']);
    assert.ok(peers.every((p) => p.processes === 2), JSON.stringify(peers));
  });

  it('the discovery command reports the state and counters', async () => {
    const reply = await control('db-1').call('discovery');
    const d = reply.discovery as Record<string, unknown>;
    assert.equal(reply.status, 'ok');
    assert.equal(d.state, 'running');
    assert.equal(d.id, 'db-1');
    assert.equal(d.address, lab.hosts[1].addr);
    assert.equal(d.interface, 'veth0');
    assert.equal(d.signed, true);
    assert.ok((d.announced as number) >= 1 && (d.answered as number) >= 1, JSON.stringify(d));
  });

  it('the Circus probe "" gets {"endpoint": …}, routable when the endpoint is', async () => {
    const [h1, , , h4] = lab.hosts;
    const probe = Buffer.from('""').toString('base64');
    const r = await h4.run(process.execPath, [fixturePath('dgram-tool.mjs'), JSON.stringify({
      steps: [{ send: probe, to: GROUP }, { recv: { count: 3, timeoutMs: 10_000 } }, { send: probe, to: `${h1.addr}:${DEFAULT_DISCOVERY_PORT}` }, { recv: { count: 1, timeoutMs: 10_000 } }],
    })]);
    assert.equal(r.code, 0, r.stderr);
    const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { from: string; data: string })
      .map((m) => ({ from: m.from, text: Buffer.from(m.data, 'base64').toString() }));
    const fromH1 = replies.filter((m) => m.from.startsWith(`${h1.addr}:`)).map((m) => m.text);
    assert.deepEqual(fromH1, [`{"endpoint": "tcp://${h1.addr}:5555"}`, `{"endpoint": "tcp://${h1.addr}:5555"}`]);
    assert.ok(replies.some((m) => m.text === `{"endpoint": "${ipc('db-1')}"}`), JSON.stringify(replies));
  });

  it('forged, unsigned, stale, replayed, malformed and oversize datagrams are dropped and counted; nothing crashes', async () => {
    const [h1, , , h4] = lab.hosts;
    const key = readFileSync(keyFile, 'latin1').trim();
    const fleetKey = Buffer.from(key, 'latin1');
    const base: Announce = {
      v: 1, k: 'announce', role: 'agent', id: 'intruder', boot: 'evil', seq: 0, ts: Date.now(), host: 'x', ver: '1', ivl: 2000, ctl: [], nats: [], w: 0, p: 0, labels: {},
    };
    const captured = await h4.run(process.execPath, [fixturePath('dgram-tool.mjs'), JSON.stringify({
      port: DEFAULT_DISCOVERY_PORT, join: { group: DEFAULT_DISCOVERY_GROUP, iface: h4.addr }, steps: [{ recv: { count: 1, timeoutMs: 20_000, from: h1.addr } }],
    })]);
    const replay = (JSON.parse(captured.stdout.trim()) as { data: string }).data;
    const bad: Array<[string, Buffer | string]> = [
      ['malformed', Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37 + 11) % 256))],
      ['malformed', '[1,2]'],
      ['malformed', JSON.stringify(base).slice(0, 40)],
      ['malformed', encodeDatagram({ ...base, seq: 1, labels: { 'bad label': 'x' } }, fleetKey)],
      ['version', '{"v":2,"k":"announce"}'],
      ['oversize', `{"v":1,"pad":"${'x'.repeat(3000)}"}`],
      ['unsigned', encodeDatagram({ ...base, seq: 2 })],
      ['forged', encodeDatagram({ ...base, seq: 3 }, Buffer.from('not the fleet key, but long enough'))],
      ['stale', encodeDatagram({ ...base, seq: 4, ts: Date.now() - 10 * 60_000 }, fleetKey)],
      ['replayed', Buffer.from(replay, 'base64')],
      ['replayed', Buffer.from(replay, 'base64')],
    ];
    const expected = emptyDropCounts();
    for (const [reason] of bad) expected[reason as DropReason]++;
    const db1 = control('db-1');
    const before = ((await db1.call('discovery')).discovery as { dropped: Record<DropReason, number> }).dropped;
    const from = listener.events().length;
    const sent = await h4.run(process.execPath, [fixturePath('dgram-tool.mjs'), JSON.stringify({
      join: { group: DEFAULT_DISCOVERY_GROUP, iface: h4.addr },
      steps: bad.map(([, b]) => ({ send: Buffer.from(b).toString('base64'), to: GROUP })),
    })]);
    assert.equal(sent.code, 0, sent.stderr);
    const delta = (now: Record<DropReason, number>) => Object.fromEntries(Object.entries(now).map(([r, n]) => [r, n - before[r as DropReason]]));
    await waitFor(async () => {
      const now = ((await db1.call('discovery')).discovery as { dropped: Record<DropReason, number> }).dropped;
      return sameData(delta(now), expected) || undefined;
    }, { timeoutMs: 30_000, what: `db-1 counting ${JSON.stringify(expected)}` });
    const listenerDrops = () => listener.events().slice(from).filter((e) => e.event === 'dropped').map((e) => (e as { reason: string }).reason).sort();
    await waitFor(() => listenerDrops().length >= bad.length || undefined, { timeoutMs: 30_000, what: 'the listener reporting every drop' });
    assert.deepEqual(listenerDrops(), bad.map(([r]) => r).sort());
    assert.ok(!listener.events().some((e) => (e as { peer?: Peer }).peer?.id === 'intruder'), 'the intruder was never listed');
    assert.equal((await db1.call('status')).status, 'ok');
    const r = await h4.run(process.execPath, [RINGCTL, 'discover', '--json', '--interface', 'veth0', '--key-file', keyFile, '--timeout', '1s']);
    assert.deepEqual((JSON.parse(r.stdout) as { peers: Peer[] }).peers.map((p) => p.id), ['db-1', 'web-1', 'web-2'], 'every agent still answers');
  });

  it('a host cut off stops being announced and is marked silent; reconnected, it is seen again', async () => {
    const h2 = lab.hosts[1];
    const from = listener.events().length;
    await h2.cut();
    await listener.waitEvent((e) => e.event === 'silent' && peerOf('db-1')(e), 'db-1 silent', { from });
    assert.ok(!listener.events().slice(from).some((e) => e.event === 'silent' && !peerOf('db-1')(e)), 'only the cut host went silent');
    const back = listener.events().length;
    await h2.reconnect();
    const seen = await listener.waitEvent((e) => e.event === 'seen' && peerOf('db-1')(e), 'db-1 seen again', { from: back });
    assert.equal((seen as { restarted: boolean }).restarted, false);
  });

  it('an agent with no NATS servers learns them from a controller\'s answer to its query', async () => {
    const [, , h3, h4] = lab.hosts;
    // A controller that announces once at start and then only answers queries (its interval is an hour).
    const ctl = labProcess(h4, process.execPath, ['--import', import.meta.resolve('tsx'), fixturePath('discovery-controller.ts'), JSON.stringify({
      id: 'ctl-1', iface: 'veth0', group: DEFAULT_DISCOVERY_GROUP, port: DEFAULT_DISCOVERY_PORT, keyFile, nats: [`nats://${h4.addr}:4222`], intervalMs: 3_600_000,
    })]);
    try {
      await ctl.waitOutput(/announcing/);
      await listener.waitEvent((e) => e.event === 'seen' && peerOf('ctl-1')(e), 'controller seen');
      await agents.h3.stop();
      agents.h3 = await startLabAgent(h3, dir, { id: 'web-2', endpoint: ipc('web-2'), labels: { role: 'web' }, discovery: `key_file = "${keyFile}"` });
      const learned = await waitFor(async () => ((await control('web-2').call('discovery')).discovery as { nats: unknown }).nats,
        { timeoutMs: 30_000, what: 'web-2 learning the NATS servers' });
      assert.deepEqual(learned, { ...(learned as object), urls: [`nats://${h4.addr}:4222`], from: 'ctl-1', address: h4.addr });
      await agents.h3.waitOutput(/learned NATS servers nats:\/\/\S+ from controller ctl-1/);
    } finally {
      await ctl.stop();
    }
  });

  it('goodbye on SIGTERM marks the agent left at once (not silent first)', async () => {
    const from = listener.events().length;
    await agents.h3.stop('SIGTERM');
    const e = await listener.waitEvent((x) => peerOf('web-2')(x) && (x.event === 'left' || x.event === 'silent'), 'web-2 left', { from });
    assert.equal(e.event, 'left');
  });
});
