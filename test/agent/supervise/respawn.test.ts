// Respawn is driven by the child's exit, crash loops back off exponentially, and max_retry ends in fatal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay, givesUp } from '../../../agent/supervise/backoff.ts';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

test('backoffDelay: first retry immediate, then doubling within jitter bounds, capped', () => {
  const policy = { base: 100, max: 1000, jitter: 0.2, maxRetry: 5 };
  assert.equal(backoffDelay(policy, 1, () => 0.7), 0);
  for (const [n, raw] of [[2, 100], [3, 200], [4, 400], [5, 800], [6, 1000], [12, 1000]] as const) {
    assert.equal(backoffDelay(policy, n, () => 0), raw, `no jitter, failure ${n}`);
    assert.equal(backoffDelay(policy, n, () => 1), Math.round(raw * 0.8), `full jitter, failure ${n}`);
  }
  assert.equal(givesUp(policy, 5), false);
  assert.equal(givesUp(policy, 6), true);
  assert.equal(givesUp({ ...policy, maxRetry: -1 }, 10_000), false);
});

test('kill -9 of a running child is followed by a new running child, from the exit event', async () => {
  const t = await startArbiter(`
[watchers.w]
cmd = "sleep 600"
numprocesses = 2
backoff_reset_after = "100ms"
`);
  open.push(t);
  const [first] = t.pids('w');
  await waitFor(() => Date.now() - t.arbiter.get('w').slot(1)!.startedAt! > 200, { what: 'child running past reset_after' });
  const from = t.events.length;
  const killedAt = Date.now();
  process.kill(first, 'SIGKILL');
  const reap = await t.waitEvent((e) => e.event === 'reap' && e.pid === first, 'reap of the killed pid', { from });
  const spawn = await t.waitEvent((e) => e.event === 'spawn' && e.watcher === 'w' && e.time >= reap.time, 'respawn', { from });
  assert.equal(reap.event === 'reap' && reap.reason, 'killed by SIGKILL');
  assert.ok(spawn.event === 'spawn' && spawn.pid !== first && spawn.wid === 1);
  const slot = t.arbiter.get('w').slot(1)!;
  await waitFor(() => slot.state === 'running', { what: 'slot 1 running again' });
  assert.equal(slot.failures, 1, 'one failure counted after a long run');
  process.stdout.write(`# respawn after kill -9: ${spawn.time - killedAt} ms\n`);
  await t.close();
});

test('a crash loop backs off exponentially and ends fatal after max_retry, visibly', async () => {
  const t = await startArbiter(`
[watchers.crash]
cmd = ${q(`${process.execPath} ${fixture('crash-loop.mjs')}`)}
backoff_base = "300ms"
backoff_max = "1s"
backoff_jitter = 0.2
max_retry = 4
[watchers.crash.env]
CRASH_LOG = "{dir}/crash.log"
CRASH_CODE = "3"
`);
  open.push(t);
  const fatal = await t.waitEvent((e) => e.event === 'fatal', 'fatal event', { timeoutMs: 30_000 });
  const spawns = t.events.filter((e) => e.event === 'spawn').map((e) => e.time);
  assert.equal(spawns.length, 5, 'the first start and max_retry = 4 restarts');
  const backoffs = t.events.filter((e) => e.event === 'backoff');
  assert.deepEqual(backoffs.map((e) => e.event === 'backoff' && e.failures), [2, 3, 4]);
  // Lower bounds hold on any machine: restart n waits at least (1 - jitter) · min(max, base·2^(n-2)).
  const minimum = [0, 300 * 0.8, 600 * 0.8, 1000 * 0.8];
  for (let i = 1; i < spawns.length; i++) {
    assert.ok(spawns[i] - spawns[i - 1] >= minimum[i - 1] - 5, `gap ${i}: ${spawns[i] - spawns[i - 1]}ms ≥ ${minimum[i - 1]}ms`);
  }
  for (const b of backoffs) {
    if (b.event !== 'backoff') continue;
    const raw = Math.min(1000, 300 * 2 ** (b.failures - 2));
    assert.ok(b.delay >= raw * 0.8 && b.delay <= raw, `delay ${b.delay} within [${raw * 0.8}, ${raw}]`);
  }
  assert.ok(fatal.event === 'fatal' && /gave up after 5 failures.*exited 3/.test(fatal.reason), String(fatal.event === 'fatal' && fatal.reason));
  const w = t.arbiter.get('crash');
  assert.equal(w.state, 'fatal');
  assert.equal(w.slot(1)!.state, 'fatal');
  assert.equal(readFileSync(join(t.dir, 'crash.log'), 'utf8').trim().split('\n').length, 5);
  // A start command brings a fatal watcher back (and it crashes again: a fresh count).
  const from = t.events.length;
  await w.start();
  await t.waitEvent((e) => e.event === 'spawn', 'spawn after start', { from });
  await t.close();
});

test('a command that does not exist is reported in plain English and backs off, not a tight loop', async () => {
  const t = await startArbiter(`
[watchers.ghost]
cmd = "/nonexistent/program --flag"
max_retry = 2
backoff_base = "100ms"
`);
  open.push(t);
  const fatal = await t.waitEvent((e) => e.event === 'fatal', 'fatal', { timeoutMs: 20_000 });
  assert.match(fatal.event === 'fatal' ? fatal.reason : '', /exited 127: command not found/);
  assert.equal(t.events.filter((e) => e.event === 'spawn').length, 3);
  await t.close();
});

test('respawn = false: an exited process is not replaced and the watcher ends stopped', async () => {
  const t = await startArbiter(`
[watchers.once]
cmd = "sh -c 'exit 0'"
respawn = false
`);
  open.push(t);
  await waitFor(() => t.arbiter.get('once').state === 'stopped', { what: 'watcher stopped by itself' });
  assert.equal(t.events.filter((e) => e.event === 'spawn').length, 1);
  const reap = t.events.find((e) => e.event === 'reap');
  assert.equal(reap?.event === 'reap' && reap.reason, 'exited 0');
  await t.close();
});
