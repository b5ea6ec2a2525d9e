// A stop signals the whole group, waits graceful_timeout, then SIGKILLs the tree, escapees included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { pidAlive } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

interface ForkerPids { children: number[]; orphan: number; escapee: number }

function treePids(file: string): Promise<number[]> {
  return waitFor(() => {
    const p = JSON.parse(readFileSync(file, 'utf8')) as ForkerPids;
    return [...p.children, p.orphan, p.escapee];
  }, { what: `forker pids in ${file}` });
}

/** A watcher running the forker fixture with extra options; resolves once its whole tree runs. */
async function forker(options: string): Promise<{ t: TestArbiter; main: number; tree: number[] }> {
  const t = await startArbiter(`
[watchers.forker]
cmd = ${q(`${process.execPath} ${fixture('forker.mjs')}`)}
${options}
[watchers.forker.env]
FORKER_PIDS_FILE = "{dir}/pids.json"
`);
  open.push(t);
  const [main] = t.pids('forker');
  return { t, main, tree: await treePids(join(t.dir, 'pids.json')) };
}

test('stopping a watcher leaves nothing of its tree: children, double-forked orphan and setsid escapee', async () => {
  const { t, main, tree } = await forker(`graceful_timeout = "2s"`);
  assert.ok([main, ...tree].every(pidAlive), 'the whole tree runs');
  await t.arbiter.stopWatcher('forker');
  const alive = [main, ...tree].filter(pidAlive);
  assert.deepEqual(alive, [], 'no process of the tree is left when stop resolves');
  const reap = t.events.find((e) => e.event === 'reap' && e.pid === main);
  assert.ok(reap?.event === 'reap');
  assert.equal(t.arbiter.get('forker').state, 'stopped');
});

test('a process that ignores SIGTERM is SIGKILLed after graceful_timeout, and the reason says so', async () => {
  const t = await startArbiter(`
[watchers.stubborn]
cmd = ${q(`${process.execPath} ${fixture('ignore-term.mjs')}`)}
graceful_timeout = "1s"
`);
  open.push(t);
  const [pid] = t.pids('stubborn');
  await waitFor(() => t.arbiter.get('stubborn').slot(1)!.ring.lines().some((l) => l.line.startsWith('ready')), { what: 'ready line' });
  const began = Date.now();
  await t.arbiter.stopWatcher('stubborn');
  const took = Date.now() - began;
  assert.ok(took >= 1000, `stop waited graceful_timeout (${took}ms)`);
  assert.equal(pidAlive(pid), false);
  const kills = t.events.filter((e) => e.event === 'kill' && e.pid === pid).map((e) => e.event === 'kill' && e.signal);
  assert.deepEqual(kills, [15, 9], 'SIGTERM then SIGKILL');
  const reap = t.events.find((e) => e.event === 'reap' && e.pid === pid);
  assert.match(reap?.event === 'reap' ? reap.reason : '', /^killed by SIGKILL after 1(\.\d)?s$/);
  const states = t.events.filter((e) => e.event === 'state' && e.watcher === 'stubborn').map((e) => e.event === 'state' && e.to);
  assert.deepEqual(states, ['starting', 'running', 'stopping', 'stopped']);
});

test('stop_signal is configurable and stop_children reaches escaped members with it', async () => {
  const { t, main, tree } = await forker(`stop_signal = "HUP"
stop_children = true
graceful_timeout = "20s"`);
  await t.arbiter.stopWatcher('forker');
  assert.deepEqual([main, ...tree].filter(pidAlive), []);
  assert.deepEqual(t.events.filter((e) => e.event === 'kill').map((e) => e.event === 'kill' && e.signal), [1],
    'SIGHUP reached every member, escapee included: no SIGKILL was needed');
  const reap = t.events.find((e) => e.event === 'reap' && e.pid === main);
  assert.equal(reap?.event === 'reap' && reap.reason, 'killed by SIGHUP');
});

test('when a process crashes, what it left running is killed before the respawn', async () => {
  const { t, main, tree } = await forker(`backoff_reset_after = "100ms"`);
  const from = t.events.length;
  process.kill(main, 'SIGKILL');
  await t.waitEvent((e) => e.event === 'spawn' && e.pid !== main, 'respawn', { from });
  assert.deepEqual(tree.filter(pidAlive), [], 'grandchildren and escapee of the crashed process are gone');
});
