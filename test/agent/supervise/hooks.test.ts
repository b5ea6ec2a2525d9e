// Hooks are commands with RING_* variables, a timeout, and Circus's rules for what a failure does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startArbiter, type TestArbiter } from '../../support/arbiter.ts';
import { pidAlive } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

async function arbiter(hooks: string, extra = ''): Promise<TestArbiter> {
  const t = await startArbiter(`
[watchers.w]
cmd = "sleep 600"
${extra}
[watchers.w.hooks]
${hooks}
`);
  open.push(t);
  return t;
}

test('hooks see the watcher, wid, pid and exit status in RING_* variables, in lifecycle order', async () => {
  const log = '>> {dir}/hooks.log';
  const t = await arbiter([
    `before_start = "echo $RING_HOOK $RING_WATCHER ${log}"`,
    `before_spawn = "echo $RING_HOOK $RING_WID ${log}"`,
    `after_spawn = "echo $RING_HOOK $RING_WID $RING_PID ${log}"`,
    `after_start = "echo $RING_HOOK ${log}"`,
    `before_stop = "echo $RING_HOOK ${log}"`,
    `before_signal = "echo $RING_HOOK $RING_PID $RING_SIGNUM ${log}"`,
    `after_reap = "echo $RING_HOOK $RING_PID $RING_EXIT_CODE $RING_EXIT_SIGNAL ${log}"`,
    `after_stop = "echo $RING_HOOK ${log}"`,
  ].join('\n'));
  const [pid] = t.pids('w');
  await t.arbiter.stopWatcher('w');
  const file = join(t.dir, 'hooks.log');
  await waitFor(() => readFileSync(file, 'utf8').includes('after_stop'), { what: 'after_stop ran' });
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'), [
    'before_start w', 'before_spawn 1', `after_spawn 1 ${pid}`, 'after_start', 'before_stop',
    `before_signal ${pid} 15`, `after_reap ${pid} SIGTERM`, 'after_stop',
  ]);
  const successes = t.events.filter((e) => e.event === 'hook_success').map((e) => e.event === 'hook_success' && e.hook);
  assert.equal(successes.length, 8);
});

test('a failing before_start aborts the start: the watcher stays stopped and the reason is given', async () => {
  const t = await arbiter('before_start = "echo no database >&2; exit 4"', 'autostart = false');
  await assert.rejects(t.arbiter.startWatcher('w'), /w: before_start hook failed \(exited 4\); not started/);
  assert.equal(t.arbiter.get('w').state, 'stopped');
  assert.equal(t.pids('w').length, 0);
  const failure = t.events.find((e) => e.event === 'hook_failure');
  assert.ok(failure?.event === 'hook_failure' && failure.hook === 'before_start' && failure.reason === 'exited 4');
});

test('a failing after_spawn kills that process and stops the watcher', async () => {
  const t = await arbiter('after_spawn = "exit 1"', 'autostart = false');
  await assert.rejects(t.arbiter.startWatcher('w'), /after_spawn hook failed/);
  const spawn = t.events.find((e) => e.event === 'spawn');
  assert.ok(spawn?.event === 'spawn');
  assert.equal(pidAlive(spawn.pid), false);
  assert.equal(t.arbiter.get('w').state, 'stopped');
});

test('a hook that hangs is killed at its timeout and counts as failed; ignore_failure lets the start go on', async () => {
  const t = await arbiter('before_start = { cmd = "sleep 30", timeout = "300ms", ignore_failure = true }', 'autostart = false');
  const began = Date.now();
  await t.arbiter.startWatcher('w');
  assert.ok(Date.now() - began < 10_000, 'the hook was cut short');
  assert.equal(t.arbiter.get('w').state, 'active');
  const failure = t.events.find((e) => e.event === 'hook_failure');
  assert.equal(failure?.event === 'hook_failure' && failure.reason, 'timed out after 300ms');
});

test('failures of before_stop and after_stop are ignored: the stop completes', async () => {
  const t = await arbiter('before_stop = "exit 1"\nafter_stop = "exit 1"');
  const [pid] = t.pids('w');
  await t.arbiter.stopWatcher('w');
  assert.equal(pidAlive(pid), false);
  assert.equal(t.arbiter.get('w').state, 'stopped');
  assert.equal(t.events.filter((e) => e.event === 'hook_failure').length, 2);
});

test('a failing before_signal withholds the stop signal; SIGKILL still ends the process after graceful_timeout', async () => {
  const t = await arbiter('before_signal = "exit 1"', 'graceful_timeout = "500ms"');
  const [pid] = t.pids('w');
  await t.arbiter.stopWatcher('w');
  assert.deepEqual(t.events.filter((e) => e.event === 'kill').map((e) => e.event === 'kill' && e.signal), [9]);
  const reap = t.events.find((e) => e.event === 'reap' && e.pid === pid);
  assert.match(reap?.event === 'reap' ? reap.reason : '', /^killed by SIGKILL after/);
});
