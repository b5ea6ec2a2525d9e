// max_age replacements one at a time, priority/depends_on ordering, resizing, and config reloads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RingEvent } from '../../../protocol/events.ts';
import { loadConfig } from '../../../agent/config/index.ts';
import type { AgeChecks } from '../../../agent/supervise/age-checks.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { pidAlive } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

const sequence = (events: RingEvent[], watcher?: string) =>
  events.filter((e) => (e.event === 'spawn' || e.event === 'reap') && (!watcher || e.watcher === watcher))
    .map((e) => `${e.event} ${e.watcher}`);

test('max_age replaces leaking processes one at a time, each through the full stop sequence', async () => {
  const t = await startArbiter(`
[agent]
check_interval = "100ms"
[watchers.aging]
cmd = ${q(`${process.execPath} ${fixture('leaker.mjs')}`)}
numprocesses = 3
max_age = "1s"
max_age_variance = 0
[watchers.aging.env]
LEAK_MB_PER_SEC = "5"
`);
  open.push(t);
  const original = t.pids('aging');
  await waitFor(() => t.pids('aging').every((p) => !original.includes(p)) && t.pids('aging').length === 3,
    { what: 'all three replaced', timeoutMs: 30_000 });
  const seq = sequence(t.events, 'aging');
  const firstReap = seq.indexOf('reap aging');
  // After the initial spawns, every reap is immediately followed by its replacement's spawn.
  const replacements = seq.slice(firstReap, firstReap + 6);
  assert.deepEqual(replacements, ['reap aging', 'spawn aging', 'reap aging', 'spawn aging', 'reap aging', 'spawn aging']);
  assert.ok(original.every((p) => !pidAlive(p)));
});

test('the max_age check wakes the agent only while a process has an age to reach', async () => {
  const plain = '[agent]\ncheck_interval = "100ms"\n[watchers.plain]\ncmd = "sleep 600"\n';
  const t = await startArbiter(plain);
  open.push(t);
  const running = () => (Reflect.get(t.arbiter, 'checks') as AgeChecks).running;
  assert.equal(running(), false, 'no max_age anywhere: no periodic check');
  const file = join(t.dir, 'aging.toml');
  writeFileSync(file, `${plain}[watchers.aging]\ncmd = "sleep 600"\nmax_age = "1s"\nmax_age_variance = 0\n`);
  await t.arbiter.reload(await loadConfig(file));
  assert.equal(running(), true, 'a process with a max_age arms it');
  const [first] = t.pids('aging');
  await waitFor(() => t.pids('aging').length === 1 && t.pids('aging')[0] !== first, { what: 'the aging process replaced', timeoutMs: 30_000 });
  writeFileSync(file, plain);
  await t.arbiter.reload(await loadConfig(file));
  await waitFor(() => !running(), { what: 'the check to stop once no process ages', timeoutMs: 10_000 });
});

test('start order follows depends_on then priority; shutdown is the reverse, dependents first', async () => {
  const t = await startArbiter(`
[watchers.web]
cmd = "sleep 600"
depends_on = ["db", "cache"]
priority = 100
[watchers.db]
cmd = "sleep 600"
[watchers.cache]
cmd = "sleep 600"
priority = 5
[watchers.batch]
cmd = "sleep 600"
priority = 50
`);
  open.push(t);
  const started = t.events.filter((e) => e.event === 'start').map((e) => e.watcher);
  assert.deepEqual(started, ['batch', 'cache', 'db', 'web'], 'higher priority first, but never before a dependency');
  const from = t.events.length;
  await t.arbiter.stop();
  const stopped = t.events.slice(from).filter((e) => e.event === 'stop').map((e) => e.watcher);
  assert.equal(stopped.length, 4);
  assert.ok(stopped.indexOf('web') < stopped.indexOf('db'), `web before db: ${stopped}`);
  assert.ok(stopped.indexOf('web') < stopped.indexOf('cache'), `web before cache: ${stopped}`);
  assert.ok(stopped.indexOf('db') < stopped.indexOf('cache'), `lower priority db before cache: ${stopped}`);
});

test('starting a watcher starts its dependencies; stopping one stops its dependents first', async () => {
  const t = await startArbiter(`
[watchers.db]
cmd = "sleep 600"
autostart = false
[watchers.web]
cmd = "sleep 600"
depends_on = ["db"]
autostart = false
`);
  open.push(t);
  await t.arbiter.startWatcher('web');
  assert.deepEqual(t.events.filter((e) => e.event === 'start').map((e) => e.watcher), ['db', 'web']);
  const from = t.events.length;
  await t.arbiter.stopWatcher('db');
  assert.deepEqual(t.events.slice(from).filter((e) => e.event === 'stop').map((e) => e.watcher), ['web', 'db']);
});

test('numprocesses changes resize live: new wids spawn, the highest wids stop, nothing else restarts', async () => {
  const t = await startArbiter(`
[watchers.pool]
cmd = "sleep 600"
numprocesses = 2
warmup_delay = "100ms"
`);
  open.push(t);
  const w = t.arbiter.get('pool');
  const before = t.pids('pool');
  await w.setNumprocesses(4);
  assert.equal(t.pids('pool').length, 4);
  assert.deepEqual(t.pids('pool').slice(0, 2), before);
  await w.setNumprocesses(1);
  assert.deepEqual(w.status().processes.map((p) => p.wid), [1]);
  assert.deepEqual(t.pids('pool'), [before[0]]);
  await assert.rejects(w.setNumprocesses(-1), /integer ≥ 0/);
});

test('reload applies the least disturbance: add, remove, resize, restart only what changed', async () => {
  const t = await startArbiter(`
[watchers.keep]
cmd = "sleep 600"
[watchers.grow]
cmd = "sleep 600"
[watchers.change]
cmd = "sleep 600"
[watchers.gone]
cmd = "sleep 600"
`);
  open.push(t);
  const keep = t.pids('keep');
  const grow = t.pids('grow');
  const change = t.pids('change');
  const file = join(t.dir, 'next.toml');
  writeFileSync(file, `
[watchers.keep]
cmd = "sleep 600"
[watchers.grow]
cmd = "sleep 600"
numprocesses = 2
[watchers.change]
cmd = "sleep 601"
[watchers.fresh]
cmd = "sleep 600"
`);
  const plan = await t.arbiter.reload(await loadConfig(file));
  assert.deepEqual(plan, {
    add: ['fresh'], remove: ['gone'], restart: ['change'], update: [], resize: ['grow'], unchanged: ['keep'],
    sockets: { added: [], removed: [], changed: [] },
  });
  assert.deepEqual(t.pids('keep'), keep);
  assert.equal(t.pids('grow')[0], grow[0]);
  assert.equal(t.pids('grow').length, 2);
  assert.notDeepEqual(t.pids('change'), change);
  assert.equal(t.pids('fresh').length, 1);
  assert.throws(() => t.arbiter.get('gone'), /no watcher named "gone"/);
  assert.deepEqual(t.arbiter.names().sort(), ['change', 'fresh', 'grow', 'keep']);
});
