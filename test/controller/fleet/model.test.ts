// The fleet model's state machine on a controlled clock, event deltas over an inventory, and target selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetModel } from '../../../controller/fleet/model.ts';
import { parseTarget, selectAgents, TargetError } from '../../../controller/fleet/target.ts';
import { parseHeartbeat, PayloadError } from '../../../controller/fleet/validate.ts';
import type { Peer } from '../../../controller/discovery/listener.ts';
import type { AgentView, FleetEvent, Heartbeat, Inventory } from '../../../protocol/fleet/messages.ts';

const hb = (id: string, over: Partial<Heartbeat> = {}): Heartbeat => ({
  v: 1, id, boot: 'b1', seq: 1, ts: 0, host: `${id}.lan`, version: '0.1.0', interval_ms: 1000, uptime_s: 1, labels: { role: 'web' },
  watchers: 1, processes: 2, states: { running: 2 }, rev: 0, load: [0, 0, 0], mem: { total: 1, free: 1 }, dropped_events: 0, ...over,
});

const inventory = (id: string, rev: number): Inventory => ({
  id, boot: 'b1', rev, labels: { role: 'web' }, sockets: [],
  watchers: [{ name: 'web', state: 'active', numprocesses: 1, processes: [{ wid: 1, pid: 10, state: 'running', started_at: 0, failures: 0, last_exit: null }] }],
});

function model() {
  const m = new FleetModel({ suspectAfterMissed: 3, lostAfterMs: 10_000 });
  const changes: Array<[string, string | null, string]> = [];
  m.on('change', (a, from) => changes.push([a.id, from, a.state]));
  return { m, changes };
}

test('alive → suspect after missed heartbeats → lost at the deadline → alive again with a new boot', () => {
  const { m, changes } = model();
  assert.equal(m.heartbeat(hb('web-1'), 0), true, 'no inventory yet: fetch it');
  m.tick(2_500);
  assert.equal(m.view('web-1')?.state, 'alive');
  m.tick(3_100);
  assert.equal(m.view('web-1')?.state, 'suspect');
  assert.equal(m.view('web-1')?.reason, 'missed 3 heartbeats');
  m.tick(10_001);
  assert.deepEqual([m.view('web-1')?.state, m.view('web-1')?.reason], ['lost', 'no heartbeat for 10.0s']);
  m.heartbeat(hb('web-1', { boot: 'b2' }), 20_000);
  assert.deepEqual([m.view('web-1')?.state, m.view('web-1')?.boot, m.view('web-1')?.since], ['alive', 'b2', 20_000]);
  assert.deepEqual(changes.map((c) => c.slice(1)), [[null, 'alive'], ['alive', 'suspect'], ['suspect', 'lost'], ['lost', 'alive']]);
});

test('goodbye marks left at once; beats of the same boot while it stops keep it left; a new boot is alive', () => {
  const { m } = model();
  m.heartbeat(hb('web-1'), 0);
  m.left('web-1', 'other-boot', 1);
  assert.equal(m.view('web-1')?.state, 'alive', 'a goodbye of another boot is ignored');
  m.left('web-1', 'b1', 2);
  assert.deepEqual([m.view('web-1')?.state, m.view('web-1')?.reason], ['left', 'said goodbye']);
  m.heartbeat(hb('web-1', { seq: 2 }), 500);
  m.tick(60_000);
  assert.equal(m.view('web-1')?.state, 'left');
  m.heartbeat(hb('web-1', { boot: 'b3' }), 61_000);
  assert.equal(m.view('web-1')?.state, 'alive');
});

test('heard by multicast only: discovered, with the reason; a heartbeat makes it alive', () => {
  const { m } = model();
  const peer = { id: 'db-1', role: 'agent', boot: 'x', host: 'db-1', version: '0.1.0', address: '10.0.0.2', labels: { role: 'db' }, watchers: 1, processes: 1 } as unknown as Peer;
  m.discovered(peer, 'seen', 0);
  assert.deepEqual([m.view('db-1')?.state, m.view('db-1')?.reason, m.view('db-1')?.address], ['discovered', 'heard by multicast only: not on NATS', '10.0.0.2']);
  m.discovered({ ...peer, role: 'controller', id: 'ctl' }, 'seen', 0);
  assert.equal(m.view('ctl'), undefined, 'controllers are not agents');
  m.heartbeat(hb('db-1', { boot: 'x' }), 1);
  assert.equal(m.view('db-1')?.state, 'alive');
  m.discovered(peer, 'left', 2);
  assert.equal(m.view('db-1')?.state, 'left', 'a multicast goodbye of the same boot counts');
});

test('events update the inventory in order; a gap or an unknown change asks for a fresh inventory', () => {
  const { m } = model();
  m.heartbeat(hb('web-1', { rev: 5 }), 0);
  m.inventory(inventory('web-1', 5), 0);
  assert.equal(m.heartbeat(hb('web-1', { rev: 5, seq: 2 }), 1), false, 'inventory up to date');
  const ev = (rev: number, e: Partial<FleetEvent>): FleetEvent => ({ agent: 'web-1', boot: 'b1', rev, event: 'state', watcher: 'web', time: 0, ...e });
  assert.equal(m.event(ev(6, { event: 'state', wid: 1, pid: null, from: 'running', to: 'stopping' }), 2), false);
  assert.equal(m.view('web-1')?.inventory?.watchers[0].processes[0].state, 'stopping');
  assert.equal(m.event(ev(7, { event: 'watcher_state', from: 'active', to: 'stopping' }), 3), false);
  assert.equal(m.view('web-1')?.inventory?.watchers[0].state, 'stopping');
  assert.equal(m.event(ev(9, { event: 'spawn', wid: 1, pid: 11 }), 4), true, 'rev 8 was missed');
  assert.equal(m.event(ev(8, { event: 'add', watcher: 'new' }), 5), true, 'a new watcher needs the inventory');
});

test('targets: hosts and globs, labels (all must match), bad targets named', () => {
  const a = (id: string, labels: Record<string, string>) => ({ id, labels }) as AgentView;
  const fleet = [a('web-1', { role: 'web', dc: 'par1' }), a('web-2', { role: 'web', dc: 'ams1' }), a('db-1', { role: 'db', dc: 'par1' })];
  const ids = (t: unknown) => selectAgents(fleet, parseTarget(t)).map((x) => x.id);
  assert.deepEqual(ids(undefined), ['db-1', 'web-1', 'web-2']);
  assert.deepEqual(ids({ hosts: ['web-*'] }), ['web-1', 'web-2']);
  assert.deepEqual(ids({ hosts: 'db-1,WEB-2' }), ['db-1', 'web-2']);
  assert.deepEqual(ids({ labels: ['role=web', 'dc=par1'] }), ['web-1']);
  assert.deepEqual(ids({ labels: ['dc'] }), ['db-1', 'web-1', 'web-2']);
  assert.deepEqual(ids({ labels: ['constructor'] }), [], 'only own labels count');
  assert.deepEqual(ids({ hosts: ['web-*'], labels: ['dc=ams1'] }), ['web-2']);
  assert.throws(() => parseTarget({}), /an empty target selects nothing/);
  assert.throws(() => parseTarget({ host: 'x' }), /unknown target key "host"/);
  assert.throws(() => parseTarget({ labels: ['=web'] }), TargetError);
  assert.throws(() => parseTarget([1]), /target must be an object/);
});

test('heartbeat payloads are checked field by field', () => {
  const ok = JSON.stringify(hb('web-1'));
  assert.equal(parseHeartbeat(ok, 'web-1').id, 'web-1');
  assert.throws(() => parseHeartbeat(ok, 'web-2'), /does not match the subject's "web-2"/);
  assert.throws(() => parseHeartbeat('{', 'web-1'), PayloadError);
  assert.throws(() => parseHeartbeat(JSON.stringify({ ...hb('web-1'), seq: -1 }), 'web-1'), /"seq" must be an integer/);
  assert.throws(() => parseHeartbeat(JSON.stringify({ ...hb('web-1'), interval_ms: 0 }), 'web-1'), /"interval_ms" must be > 0/);
  assert.throws(() => parseHeartbeat(JSON.stringify({ ...hb('web-1'), labels: { 'a b': 'x' } }), 'web-1'), /"labels"/);
});
