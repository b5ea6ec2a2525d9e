// A real ringd linked to a real nats-server: heartbeats, the command catalogue over NATS (the same replies as over
// ZeroMQ), malformed and reply-less requests, events on the evt subjects, stats, and `quit` answered before the exit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import type { FleetEvent, Heartbeat, Inventory } from '../../../protocol/fleet/messages.ts';
import { subjects } from '../../../protocol/fleet/subjects.ts';
import type { FleetStats } from '../../../protocol/fleet/payloads.ts';
import { VERSION } from '../../../agent/version.ts';
import { NatsProbe, startLinkedRingd, type Json } from '../../support/nats-probe.ts';
import { startNats, type TestNats } from '../../support/nats.ts';
import { pidAlive } from '../../support/proc.ts';
import { stopAllRingd, waitPids, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';

const ID = 'link-1';
const WATCHERS = `
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

[watchers."web.v2"]
cmd = "sleep 601"
`;

let nats: TestNats;
let r: RingdControl;
let probe: NatsProbe;
before(async () => {
  nats = await startNats();
  r = await startLinkedRingd(nats, WATCHERS, {
    id: ID, agentKeys: 'labels = { role = "web", dc = "par1" }\nmax_request_bytes = 4096\nloglevel = "debug"',
  });
  probe = await NatsProbe.connect(nats.url);
});
after(async () => {
  await probe?.close();
  await stopAllRingd();
  await nats?.stop();
});

const ctl = (command: string, body: string | Uint8Array | Json) => probe.requestJson(subjects.ctl(ID, command), body);
/** A reply without its volatile envelope keys. */
const stable = ({ time: _time, id: _id, ...rest }: Json) => rest;
const inventory = async () => (await ctl('inventory', '')).inventory as Inventory;

test('heartbeats come every heartbeat_interval with the agent, its counts by state, its revision and the host load', async () => {
  const hb = await probe.collect(subjects.heartbeat(ID));
  const beats = (await hb.wait('heartbeat with 3 processes', (m) => m.json.processes === 3, { count: 3 })).map((m) => m.json as unknown as Heartbeat);
  for (let i = 1; i < beats.length; i++) assert.ok(beats[i].seq > beats[i - 1].seq, 'seq grows');
  const all = hb.messages.map((m) => (m.json as unknown as Heartbeat).seq);
  all.forEach((seq, i) => i > 0 && assert.equal(seq, all[i - 1] + 1, 'one seq per heartbeat, none skipped'));
  const health = (await r.ok('health')).health as Json;
  const b = beats.at(-1)!;
  assert.deepEqual(
    { v: b.v, id: b.id, boot: b.boot, host: b.host, version: b.version, interval_ms: b.interval_ms, labels: b.labels, watchers: b.watchers, states: b.states },
    { v: 1, id: ID, boot: health.boot_id, host: os.hostname(), version: VERSION, interval_ms: 200, labels: { role: 'web', dc: 'par1' }, watchers: 2, states: { running: 3 } },
  );
  assert.equal(b.dropped_events, 0);
  assert.ok(b.uptime_s >= 0 && Number.isFinite(b.ts));
  assert.equal(b.load.length, 3);
  for (const l of b.load) assert.ok(Number.isFinite(l) && l >= 0, `load ${l}`);
  assert.ok(b.mem.total > 0 && b.mem.free >= 0 && b.mem.free <= b.mem.total);
  const rev = (await inventory()).rev;
  await hb.wait(`a heartbeat with the inventory's rev ${rev}`, (m) => m.json.rev === rev);
});

test('catalogue commands over NATS get the same replies as over ZeroMQ', async () => {
  const reads: [string, Json][] = [
    ['status', {}], ['status', { name: 'sleeper' }], ['list', { name: 'web.v2' }], ['numwatchers', {}], ['options', { name: 'sleeper' }],
    ['globaloptions', {}], ['listsockets', {}], ['inventory', {}],
  ];
  for (const [command, properties] of reads) {
    const viaZmq = await r.control.call(command, properties);
    const viaNats = await ctl(command, { id: `n-${command}`, command, properties });
    assert.equal(viaNats.id, `n-${command}`);
    assert.deepEqual(stable(viaNats), stable(viaZmq), command);
  }
  const before = (await r.ok('numprocesses', { name: 'sleeper' })).numprocesses as number;
  const viaNats = await ctl('incr', { id: 'i-1', command: 'incr', properties: { name: 'sleeper', waiting: true } });
  assert.deepEqual(stable(viaNats), { status: 'ok', numprocesses: before + 1 });
  const viaZmq = await r.control.call('incr', { name: 'sleeper', waiting: true });
  assert.deepEqual(Object.keys(viaNats), Object.keys(viaZmq));
  assert.equal(viaZmq.numprocesses, before + 2);
  // The body may leave the command out: the subject names it.
  assert.deepEqual(stable(await ctl('decr', { properties: { name: 'sleeper', nb: 2, waiting: true } })), { status: 'ok', numprocesses: before });
  assert.deepEqual(stable(await ctl('status', '')), stable(await r.control.call('status')));
  await waitPids(r, 'sleeper', before);
});

test('every arbiter event is published on its evt subject, with the revision it produced', async () => {
  const evt = await probe.collect(`ring.agent.${ID}.evt.>`);
  assert.equal((await ctl('incr', { properties: { name: 'web.v2', waiting: true } })).status, 'ok');
  const [, pid] = await waitPids(r, 'web.v2', 2);
  const [spawn] = await evt.wait('spawn of web.v2', (m) => m.subject === `ring.agent.${ID}.evt.web~v2.spawn`);
  const e = spawn.json as FleetEvent;
  assert.deepEqual({ agent: e.agent, boot: e.boot, watcher: e.watcher, event: e.event, wid: e.wid, pid: e.pid },
    { agent: ID, boot: (await inventory()).boot, watcher: 'web.v2', event: 'spawn', wid: 2, pid });
  await evt.wait('web.v2 slot 2 running', (m) => m.json.event === 'state' && m.json.wid === 2 && m.json.to === 'running');
  const revs = evt.messages.map((m) => (m.json as FleetEvent).rev);
  revs.forEach((rev, i) => i > 0 && assert.equal(rev, revs[i - 1] + 1, `consecutive revisions: ${revs}`));
  for (const m of evt.messages) {
    const f = m.json as FleetEvent;
    assert.equal(m.subject, subjects.event(ID, f.watcher, f.event));
  }
  assert.equal((await inventory()).rev, revs.at(-1), 'inventory rev = the last event\'s');
  assert.equal((await ctl('decr', { properties: { name: 'web.v2', waiting: true } })).status, 'ok');
});

test('stats: every watcher process with cpu, memory and fds, and ringd itself', async () => {
  const st = await probe.collect(subjects.stats(ID));
  const pids = (await r.pids('sleeper')).sort();
  const [m] = await st.wait('stats', () => true);
  const s = m.json as unknown as FleetStats;
  assert.equal(s.agent, ID);
  assert.equal(s.interval_ms, 500);
  const sleeper = s.watchers.find((w) => w.name === 'sleeper')!;
  assert.deepEqual(sleeper.processes.map((p) => p.pid).sort(), pids);
  for (const p of sleeper.processes) {
    assert.ok(p.cpu >= 0 && p.mem >= 0 && p.age >= 0, JSON.stringify(p));
    assert.ok(p.rss !== null && p.rss > 0, 'rss');
    assert.ok(p.fds !== null && p.fds >= 3, 'fds');
  }
  assert.equal(s.self.pid, r.pid);
  assert.deepEqual(s.watchers.map((w) => w.name).sort(), ['sleeper', 'web.v2']);
});

test('malformed requests on ctl and follow get error replies; the agent is unaffected', async () => {
  const bad: [string, string | Uint8Array, number, RegExp][] = [
    ['status', '{nope', 1, /json invalid/],
    ['status', '[1, 2]', 1, /json invalid/],
    ['status', 'null', 1, /json invalid/],
    ['status', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 1, /UTF-8/],
    ['status', '{"command": "list"}', 3, /command 'list' does not match the subject's command 'status'/],
    ['status', '{"command": 5}', 3, /'command' must be a string/],
    ['status', '{"command": "status", "properties": {"bogus": 1}}', 3, /unknown property 'bogus'/],
    ['status', '{"command": "status", "extra": 1}', 3, /unknown key 'extra'/],
    ['nosuch', '', 2, /unknown command/],
    ['status', JSON.stringify({ command: 'status', id: 'x'.repeat(5000) }), 3, /exceeds the limit of 4096 bytes/],
  ];
  for (const [command, body, errno, reason] of bad) {
    const reply = await ctl(command, body);
    assert.equal(reply.status, 'error', `${command} ${String(body).slice(0, 40)}`);
    assert.equal(reply.errno, errno, `${String(body).slice(0, 40)}: ${reply.reason}`);
    assert.match(reply.reason as string, reason);
  }
  const badFollow = ['{', '[1]', '{"watcher": 5}', '{"watcher": "nope"}', '{"watcher": "sleeper", "lease_ms": -1}',
    '{"watcher": "sleeper", "lease_ms": 1.5}', '{"watcher": "sleeper", "tail": 1}', ''];
  for (const body of badFollow) {
    const reply = await probe.requestJson(subjects.follow(ID), body);
    assert.equal(reply.status, 'error', `follow ${body}`);
    assert.ok(typeof reply.reason === 'string' && reply.reason.length > 0);
  }
  assert.equal((await ctl('status', '')).status, 'ok');
  assert.ok(pidAlive(r.pid));
  assert.doesNotMatch(r.ringd.output(), /internal error/);
});

test('requests without a reply subject are ignored (a published quit does nothing)', async () => {
  const pids = await r.pids('sleeper');
  probe.nc.publish(subjects.ctl(ID, 'quit'), '{"command": "quit"}');
  probe.nc.publish(subjects.follow(ID), '{"watcher": "sleeper"}');
  // Requests on one subscription are handled in order: once this one is answered, the quit was seen.
  assert.equal((await ctl('status', '')).status, 'ok');
  await r.ringd.waitForOutput(/ignored a message on ring\.agent\.link-1\.ctl\.quit without a reply subject/);
  await r.ringd.waitForOutput(/ignored a message on ring\.agent\.link-1\.follow without a reply subject/);
  assert.ok(pidAlive(r.pid));
  assert.deepEqual(await r.pids('sleeper'), pids);
});

test('quit over NATS is answered, then ringd stops everything and exits 0', async () => {
  const pids = await r.pids('sleeper');
  const reply = await ctl('quit', { id: 'q', properties: { waiting: true } });
  assert.deepEqual(stable(reply), { status: 'ok' });
  await waitFor(() => r.ringd.child.exitCode !== null, { what: 'ringd to exit', timeoutMs: 30_000 });
  assert.equal(r.ringd.child.exitCode, 0);
  for (const pid of pids) assert.ok(!pidAlive(pid), `pid ${pid} stopped`);
});
