// The stats stream of a real ringd (PUB, topic prefix `stat.`), as circusd-stats publishes it (circus-reference §5 and
// §14.3): per cycle, stat.<watcher>.<pid> for every process then the stat.<watcher> aggregate, stat.circus.<pid> and
// stat.circus for ringd itself, then stat.sockets. Ringmaster samples /proc inside ringd (no circusd-stats process).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pidAlive } from '../../support/proc.ts';
import { startRingdControl, stopAllRingd, waitPids, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';
import type { EventCollector, EventMessage } from '../../support/zmq.ts';

let r: RingdControl;
let stats: EventCollector;

before(async () => {
  r = await startRingdControl(`
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

# a capitalised name: topics use the lower-cased name, as in Circus
[watchers.Ticker]
cmd = "sh -c 'while true; do sleep 0.3; done'"
`, { prefix: 'ringd-stats', agent: 'stats_interval = "250ms"' });
  stats = await r.stats(['stat.']);
});
after(async () => {
  await stopAllRingd();
});

type Payload = Record<string, unknown>;

/** Complete cycles received so far: each ends with its `stat.sockets` message. */
function cycles(messages: EventMessage[]): EventMessage[][] {
  const out: EventMessage[][] = [];
  let start = -1;
  messages.forEach((m, i) => {
    if (m.topic !== 'stat.sockets') return;
    if (start >= 0) out.push(messages.slice(start + 1, i + 1));
    start = i;
  });
  return out;
}

/** The first complete cycle, received after now, satisfying `pred`. */
async function nextCycle(c: EventCollector, pred: (cycle: EventMessage[]) => boolean, what: string): Promise<EventMessage[]> {
  const from = c.messages.length;
  return waitFor(() => cycles(c.messages.slice(from)).find(pred), { what, timeoutMs: 30_000, intervalMs: 50 });
}

// Circus's process-info fields, in circusd's order.
const INFO_KEYS = ['mem_info1', 'mem_info2', 'cpu', 'mem', 'ctime', 'pid', 'username', 'nice', 'create_time', 'age', 'cmdline', 'children'];

function checkInfo(p: Payload, where: string): void {
  assert.match(String(p.mem_info1), /^\d+(\.\d+)?[BKMGT]$/, where);
  assert.match(String(p.mem_info2), /^\d+(\.\d+)?[BKMGT]$/, where);
  for (const k of ['cpu', 'mem', 'create_time', 'age']) assert.ok(typeof p[k] === 'number' && (p[k] as number) >= 0, `${where}.${k}`);
  assert.match(String(p.ctime), /^\d+:\d\d\.\d\d$/, where);
  assert.ok(typeof p.username === 'string' && p.username !== '', where);
  if (process.getuid?.() === 0) assert.equal(p.username, 'root', where);
  assert.ok(Number.isInteger(p.nice), where);
  assert.ok(Array.isArray(p.children), where);
}

test('each cycle: stat.<watcher>.<pid> for every process, stat.<watcher>, stat.circus.<ringd pid>, stat.circus, stat.sockets', async () => {
  const sleepers = await waitPids(r, 'sleeper', 2);
  const [ticker] = await waitPids(r, 'Ticker', 1);
  const cycle = await nextCycle(stats, (cy) => cy.some((m) => m.topic === `stat.sleeper.${sleepers[1]}`), 'a full cycle with both sleepers');

  // Groups: each watcher's processes (by wid) then its aggregate — watchers in ringd's order — then ringd, then sockets.
  const groups: string[][] = [];
  let group: string[] = [];
  for (const m of cycle) {
    group.push(m.topic);
    if (m.topic.split('.').length === 2) { groups.push(group); group = []; }
  }
  assert.deepEqual(group, [], 'the cycle ends with an aggregate (stat.sockets)');
  const expectedGroups = [
    [`stat.sleeper.${sleepers[0]}`, `stat.sleeper.${sleepers[1]}`, 'stat.sleeper'],
    [`stat.ticker.${ticker}`, 'stat.ticker'],
  ];
  assert.deepEqual(groups.slice(0, -2).sort(), expectedGroups.sort(), 'every process of every watcher, each group followed by its aggregate');
  assert.deepEqual(groups.slice(-2), [[`stat.circus.${r.pid}`, 'stat.circus'], ['stat.sockets']], 'then ringd, then sockets');
  const by = (topic: string) => cycle.find((m) => m.topic === topic)!.payload;

  for (const [name, pids, cmdline] of [['sleeper', sleepers, 'sleep'], ['ticker', [ticker], 'sh']] as const) {
    pids.forEach((pid, i) => {
      const p = by(`stat.${name}.${pid}`);
      // Circus's keys; Ringmaster adds `started` and `wid` (as in its `stats` reply) before subtopic and name.
      assert.deepEqual(Object.keys(p), [...INFO_KEYS, 'started', 'wid', 'subtopic', 'name'], `stat.${name}.${pid}`);
      checkInfo(p, `stat.${name}.${pid}`);
      assert.deepEqual([p.pid, p.subtopic, p.name, p.cmdline, p.wid], [pid, pid, null, cmdline, i + 1]);
      assert.ok(Math.abs((p.started as number) - Date.now() / 1000) < 600, 'started in epoch seconds');
    });
    const agg = by(`stat.${name}`);
    assert.deepEqual(Object.keys(agg), ['pid', 'cpu', 'mem', 'age']);
    const infos = pids.map((pid) => by(`stat.${name}.${pid}`));
    assert.deepEqual(agg.pid, [...pids]);
    const sum = (k: string) => infos.reduce((s, i) => s + (i[k] as number), 0);
    assert.ok(Math.abs((agg.cpu as number) - sum('cpu') / infos.length) < 1e-9, 'cpu: the mean');
    assert.ok(Math.abs((agg.mem as number) - sum('mem')) < 1e-9, 'mem: the sum');
    assert.equal(agg.age, Math.max(...infos.map((i) => i.age as number)), 'age: the oldest');
  }

  const self = by(`stat.circus.${r.pid}`);
  assert.deepEqual(Object.keys(self), [...INFO_KEYS, 'subtopic', 'name'], 'exactly circusd-stats\' keys for stat.circus.<pid>');
  checkInfo(self, 'stat.circus');
  // circusd's own entry is named "circusd"; ringd's is "ringd" (and there is no circusd-stats process to list).
  assert.deepEqual([self.pid, self.subtopic, self.name, self.cmdline], [r.pid, r.pid, 'ringd', 'node']);
  const circus = by('stat.circus');
  assert.deepEqual(Object.keys(circus), ['pid', 'cpu', 'mem', 'age']);
  assert.deepEqual([circus.pid, circus.cpu, circus.mem, circus.age], [[r.pid], self.cpu, self.mem, self.age]);
  // No sockets in this config: no stat.sockets.<fd>, and an empty summary with Circus's keys first (Ringmaster may add
  // fields of its own after them).
  const sockets = by('stat.sockets');
  assert.deepEqual(Object.keys(sockets).slice(0, 2), ['addresses', 'reads']);
  assert.deepEqual([sockets.addresses, sockets.reads], [[], 0]);

  // Cycles keep coming, and a shell's child appears under `children` on some cycle.
  const withChild = await nextCycle(stats, (cy) => {
    const p = cy.find((m) => m.topic === `stat.ticker.${ticker}`)?.payload;
    return !!p && (p.children as Payload[]).length > 0;
  }, 'the ticker shell with its sleep child');
  const child = (withChild.find((m) => m.topic === `stat.ticker.${ticker}`)!.payload.children as Payload[])[0];
  assert.deepEqual(Object.keys(child), INFO_KEYS);
  assert.equal(child.cmdline, 'sleep');
});

test('a busy-loop watcher shows cpu > 20 on some cycle, in its process message and its aggregate', async () => {
  await r.ok('add', { name: 'busy', cmd: `${process.execPath} -e 'for(;;){}'`, start: true, waiting: true });
  try {
    const [pid] = await waitPids(r, 'busy', 1);
    const cycle = await nextCycle(stats, (cy) => ((cy.find((m) => m.topic === `stat.busy.${pid}`)?.payload.cpu as number | undefined) ?? 0) > 20,
      `stat.busy.${pid} with cpu > 20`);
    const p = cycle.find((m) => m.topic === `stat.busy.${pid}`)!.payload;
    const agg = cycle.find((m) => m.topic === 'stat.busy')!.payload;
    assert.ok((agg.cpu as number) > 20, `the aggregate too: ${JSON.stringify(agg)}`);
    assert.equal(p.cmdline, 'node');
    // The idle sleepers of the same cycle stay near zero.
    const sleeperCpu = cycle.filter((m) => m.topic.startsWith('stat.sleeper.')).map((m) => m.payload.cpu as number);
    assert.ok(sleeperCpu.every((v) => v < 20), `idle sleepers: ${sleeperCpu.join(', ')}`);
  } finally {
    const pids = await r.pids('busy');
    await r.ok('rm', { name: 'busy', waiting: true });
    assert.ok(pids.every((p) => !pidAlive(p)));
  }
});

test('a removed watcher disappears from the stream; a stopped one keeps an empty aggregate', async () => {
  const gone = await nextCycle(stats, (cy) => !cy.some((m) => m.topic.startsWith('stat.busy')), 'a cycle without busy');
  assert.ok(gone.some((m) => m.topic === 'stat.sleeper'));
  await r.ok('stop', { name: 'Ticker', waiting: true });
  const cycle = await nextCycle(stats, (cy) => !cy.some((m) => m.topic.startsWith('stat.ticker.')), 'a cycle without ticker processes');
  assert.deepEqual(cycle.find((m) => m.topic === 'stat.ticker')?.payload, { pid: [], cpu: 0, mem: 0, age: 0 });
});
