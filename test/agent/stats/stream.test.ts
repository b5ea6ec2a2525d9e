/** Tests of agent/stats/stream.ts: stats stream messages and the `stats NAME` info map. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { ProcSampler, type ProcessInfo } from '../../../agent/stats/process-info.ts';
import { aggregate, statsMessages, watcherStatsInfo, type StatsGroup } from '../../../agent/stats/stream.ts';
import { childrenOf } from '../../../agent/supervise/proc.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';
import { killQuietly, reapOrphanZombies, waitGone } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const NO_SUCH_PID = 99_999_999;
const children: ChildProcess[] = [];
const subreaper = setChildSubreaper();

after(async () => {
  const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(tree)];
  const all = children.flatMap((c) => tree(c.pid as number));
  for (const c of children) killQuietly(-(c.pid as number)); // detached: pgid = pid
  await waitGone(all).catch(() => undefined); // every orphan reparented to us before reaping
  if (subreaper) await reapOrphanZombies(new Set(children.map((c) => c.pid as number)));
});

function start(cmd: string, ...args: string[]): number {
  const c = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  children.push(c);
  assert.ok(c.pid !== undefined, `spawn ${cmd}`);
  return c.pid;
}

function fakeInfo(pid: number, cpu: number, mem: number, age: number): ProcessInfo {
  return {
    mem_info1: '17.81M', mem_info2: '23.96M', cpu, mem, ctime: '0:00.14', pid, username: 'root', nice: 0,
    create_time: 1795810307.41, age, cmdline: 'python3', children: [],
  };
}

/** Deterministic sampler: canned infos, records the options of every call. */
class FakeSampler extends ProcSampler {
  readonly calls: [number, boolean | undefined][] = [];
  private readonly infos: Map<number, ProcessInfo>;
  constructor(infos: Map<number, ProcessInfo>) {
    super();
    this.infos = infos;
  }
  override sample(pid: number, opts: { children?: boolean } = {}): ProcessInfo | undefined {
    this.calls.push([pid, opts.children]);
    return this.infos.get(pid);
  }
}

test('aggregate: mean cpu, summed mem, max age, like Circus (capture 14.3)', () => {
  const infos = [fakeInfo(8453, 1.0, 0.074, 21.009525060653687), fakeInfo(8455, 0, 0.073, 20.94008779525757),
    fakeInfo(8463, 0, 0.074, 20.760477304458618)];
  assert.deepEqual(aggregate(infos), {
    pid: [8453, 8455, 8463], cpu: 0.3333333333333333, mem: 0.22099999999999997, age: 21.009525060653687,
  });
  assert.deepEqual(aggregate([]), { pid: [], cpu: 0, mem: 0, age: 0 });
});

test('statsMessages: topics, order, payloads; vanished processes skipped', () => {
  const sampler = new FakeSampler(new Map([
    [11, fakeInfo(11, 2, 0.5, 10)], [12, fakeInfo(12, 4, 0.25, 30)], [7, fakeInfo(7, 1, 0.1, 99)], [8, fakeInfo(8, 3, 0.2, 98)],
  ]));
  const groups: StatsGroup[] = [
    { name: 'Web', processes: [{ pid: 11, wid: 1, started: 1795810307500 }, { pid: 13, wid: 2, started: 1 }, { pid: 12, wid: 3, started: 1795810307600 }] },
    { name: 'idle', processes: [] },
  ];
  const msgs = statsMessages(groups, [{ pid: 7, name: 'ringd' }, { pid: 8, name: 'ringd-stats' }, { pid: 9, name: 'gone' }], sampler,
    [{ fd: 10, name: 'web', address: '127.0.0.1:8765', reads: 3, queued: 2, connections: 5, backlog: 2048 },
      { fd: 12, name: 'admin', address: '/tmp/s.sock', reads: 1, queued: 0, connections: 1, backlog: 16 }]);
  assert.deepEqual(msgs.map((m) => m.topic), [
    'stat.web.11', 'stat.web.12', 'stat.web', 'stat.idle', 'stat.circus.7', 'stat.circus.8', 'stat.circus',
    'stat.sockets.10', 'stat.sockets.12', 'stat.sockets',
  ]);
  const byTopic = new Map(msgs.map((m) => [m.topic, m.payload]));
  assert.deepEqual(byTopic.get('stat.web.11'), {
    ...fakeInfo(11, 2, 0.5, 10), started: 1795810307.5, wid: 1, subtopic: 11, name: null,
  });
  assert.deepEqual(Object.keys(byTopic.get('stat.web.12') ?? {}).slice(-4), ['started', 'wid', 'subtopic', 'name']);
  assert.deepEqual(byTopic.get('stat.web'), { pid: [11, 12], cpu: 3, mem: 0.75, age: 30 });
  assert.deepEqual(byTopic.get('stat.idle'), { pid: [], cpu: 0, mem: 0, age: 0 });
  assert.deepEqual(byTopic.get('stat.circus.8'), { ...fakeInfo(8, 3, 0.2, 98), subtopic: 8, name: 'ringd-stats' });
  assert.deepEqual(byTopic.get('stat.circus'), { pid: [7, 8], cpu: 2, mem: 0.30000000000000004, age: 99 });
  assert.deepEqual(byTopic.get('stat.sockets.10'), {
    fd: 10, subtopic: 10, reads: 3, address: '127.0.0.1:8765', name: 'web', queued: 2, connections: 5, backlog: 2048,
  });
  assert.deepEqual(byTopic.get('stat.sockets'), { addresses: ['127.0.0.1:8765', '/tmp/s.sock'], reads: 4, queued: 2, connections: 6 });
  for (const m of msgs) assert.ok(!Object.values(m.payload).some((v) => typeof v === 'string' && /No such process/.test(v)));
  // watcher processes with children (default), ringd's own without
  assert.deepEqual(sampler.calls, [[11, undefined], [13, undefined], [12, undefined], [7, false], [8, false], [9, false]]);
});

test('statsMessages without sockets ends with an empty stat.sockets', () => {
  const msgs = statsMessages([], [], new FakeSampler(new Map()));
  assert.deepEqual(msgs, [
    { topic: 'stat.circus', payload: { pid: [], cpu: 0, mem: 0, age: 0 } },
    { topic: 'stat.sockets', payload: { addresses: [], reads: 0, queued: 0, connections: 0 } },
  ]);
});

test('real processes: stream payloads, stats NAME info map with children, vanished pid skipped', async () => {
  const a = start('sleep', '600');
  const sh = start('sh', '-c', 'sleep 600 & wait');
  const sampler = new ProcSampler();
  const now = Date.now();
  const group: StatsGroup = {
    name: 'Sleepers',
    processes: [{ pid: a, wid: 1, started: now }, { pid: NO_SUCH_PID, wid: 2, started: now }, { pid: sh, wid: 3, started: now }],
  };
  const info = await waitFor(() => {
    const i = watcherStatsInfo(group, sampler, { extended: true });
    // The child is forked as `sh` and becomes `sleep` at its exec: wait for both.
    return i[String(sh)]?.children.length === 1 && i[String(sh)].children[0].cmdline === 'sleep' && i[String(a)]?.cmdline === 'sleep' && i;
  }, { what: 'sh with its sleep child' });
  assert.deepEqual(Object.keys(info), [String(a), String(sh)]);
  assert.equal(info[String(sh)].children[0].cmdline, 'sleep');
  assert.equal(info[String(sh)].started, now / 1000);
  assert.equal(info[String(sh)].wid, 3);
  assert.equal(info[String(a)].username, 'root');
  assert.deepEqual(Object.keys(watcherStatsInfo(group, sampler)), [String(a), String(sh)], 'extended is optional');

  const msgs = statsMessages([group], [{ pid: process.pid, name: 'ringd' }, { pid: NO_SUCH_PID, name: 'x' }], sampler);
  assert.deepEqual(msgs.map((m) => m.topic), [
    `stat.sleepers.${a}`, `stat.sleepers.${sh}`, 'stat.sleepers', `stat.circus.${process.pid}`, 'stat.circus', 'stat.sockets',
  ]);
  const self = msgs[3].payload;
  assert.equal(self.name, 'ringd');
  assert.equal(self.subtopic, process.pid);
  assert.equal(self.cmdline, 'node');
  assert.deepEqual(self.children, []);
  assert.ok(!('wid' in self));
  const agg = msgs[2].payload;
  assert.deepEqual(agg.pid, [a, sh]);
  const each = [msgs[0].payload, msgs[1].payload] as unknown as ProcessInfo[];
  assert.equal(agg.mem, each[0].mem + each[1].mem);
  assert.equal(agg.age, Math.max(each[0].age, each[1].age));
  assert.equal(agg.cpu, (each[0].cpu + each[1].cpu) / 2);
  sampler.close();
});
