/** Tests of agent/supervise/tree.ts against real process trees (background children, double forks, setsid escapees). */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { reapOrphanZombies } from '../../support/proc.ts';
import { waitFor as pollFor } from '../../support/wait.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SPAWN_MARKER_ENV } from '../../../agent/defaults.ts';
import { childrenOf, isAlive, readStat, readEnvVar, listPids } from '../../../agent/supervise/proc.ts';
import { findTree, killTreeAndWait, signalTree, type TreeQuery } from '../../../agent/supervise/tree.ts';
import { OrphanReaper } from '../../../agent/safety/orphans.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';

const NO_SUCH_PID = 99_999_999;
const children: ChildProcess[] = [];
const trees: TreeQuery[] = [];
// This test file's own process becomes a subreaper so that the orphans it creates are reaped here, not left as
// zombies under a pid 1 that never reaps.
const subreaper = setChildSubreaper();
const everSeen = new Map<number, number>(); // pid → starttime

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const q of trees) await killTreeAndWait(q, { timeoutMs: 3000 });
  await reapAll();
  for (const [pid, starttime] of everSeen) {
    if (readStat(pid)?.starttime === starttime && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

/** Reap our orphaned zombies until none are left. */
async function reapAll(): Promise<void> {
  if (subreaper) await reapOrphanZombies(new Set(children.map((c) => c.pid as number)));
}

/** Polls until fn returns a value (generous deadline: tests run on a loaded 2-core machine). */
function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return pollFor(fn, { what, timeoutMs, intervalMs: 10 });
}

/** Spawn like ringd does: own process group and session, marked environment. */
function startTree(script: string): { child: ChildProcess; q: TreeQuery } {
  const marker = `test-${randomUUID()}`;
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [SPAWN_MARKER_ENV]: marker },
  });
  children.push(child);
  const pid = child.pid as number;
  const q: TreeQuery = { pid, pgid: pid, sid: pid, marker, startTime: readStat(pid)?.starttime };
  trees.push(q);
  return { child, q };
}

function remember(pids: number[]): void {
  for (const p of pids) {
    const st = readStat(p);
    if (st) everSeen.set(p, st.starttime);
  }
}

const exited = (c: ChildProcess): Promise<void> =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

test('findTree: root, background children, double-forked orphan and setsid escapee', async () => {
  const { child, q } = startTree('sleep 1000 & sleep 1000 & (sleep 1000 &) ; setsid sleep 1000 & wait');
  const root = q.pid;
  const full = await waitFor('5 processes', () => {
    const t = findTree(q);
    return t.length === 5 && t.filter((p) => readStat(p)?.comm === 'sleep').length === 4 ? t : undefined;
  });
  remember(full);
  assert.ok(full.includes(root));
  assert.ok(!full.includes(process.pid) && !full.includes(1));
  const sleeps = full.filter((p) => p !== root);
  const stats = sleeps.map((p) => readStat(p)!);
  const escapee = stats.filter((s) => s.sid === s.pid && s.pgid === s.pid);
  const orphan = stats.filter((s) => s.pgid === root && s.ppid !== root);
  const background = stats.filter((s) => s.pgid === root && s.ppid === root);
  assert.equal(escapee.length, 1, 'one setsid escapee');
  assert.equal(orphan.length, 1, 'one double-forked orphan');
  assert.equal(background.length, 2, 'two background children');
  assert.equal(readEnvVar(escapee[0].pid, SPAWN_MARKER_ENV), q.marker);

  // By ppid alone: the orphan was reparented away, so it is missed.
  const byPpid = findTree({ pid: root });
  assert.ok(byPpid.includes(root) && byPpid.includes(escapee[0].pid));
  assert.ok(!byPpid.includes(orphan[0].pid));
  // With the group: the orphan is caught.
  assert.ok(findTree({ pid: root, pgid: root }).includes(orphan[0].pid));
  // A wrong start time means the root pid was recycled: it is not ours any more.
  assert.ok(!findTree({ pid: root, startTime: (q.startTime ?? 0) + 1 }).includes(root));

  // The parent of the escapee dies: only the env marker still finds it.
  process.kill(root, 'SIGKILL');
  await exited(child);
  const noMarker = await waitFor('escapee reparented', () => {
    const t = findTree({ pid: root, pgid: root, sid: root });
    return readStat(escapee[0].pid)?.ppid !== root ? t : undefined;
  });
  assert.deepEqual(noMarker, [...background, ...orphan].map((s) => s.pid).sort((a, b) => a - b));
  assert.deepEqual(findTree(q), sleeps);

  const res = await killTreeAndWait(q, { timeoutMs: 5000 });
  assert.deepEqual(res.left, []);
  assert.deepEqual(res.killed, sleeps);
  for (const p of full) assert.equal(isAlive(p), false, `pid ${p} still alive`);
  assert.deepEqual(findTree(q), []);

  // As subreaper we inherited all four sleeps when sh died: their zombies are ours to reap, one waitpid each.
  assert.equal(subreaper, true);
  const reaped = new Set<number>();
  const known = () => new Set(children.map((c) => c.pid as number));
  const reaper = new OrphanReaper(known, 0);
  await waitFor('all sleeps reaped', () => {
    for (const p of reaper.sweep(known())) reaped.add(p); // a zombie is reaped at its second sighting
    return sleeps.every((p) => readStat(p) === undefined);
  });
  for (const p of sleeps) assert.ok(reaped.has(p), `pid ${p} reaped by the orphan reaper`);
});

test('findTree also finds descendants of marked escapees', async () => {
  const { child, q } = startTree('setsid sh -c "sleep 1000 & wait" & wait');
  const full = await waitFor('3 processes', () => {
    const t = findTree(q);
    return t.length === 3 ? t : undefined;
  });
  remember(full);
  process.kill(q.pid, 'SIGKILL');
  await exited(child);
  // The escaped sh is found by marker; its sleep child both by marker and by ppid.
  await waitFor('2 left', () => findTree(q).length === 2);
  const res = await killTreeAndWait(q, { timeoutMs: 5000 });
  assert.deepEqual(res.left, []);
  for (const p of full) assert.equal(isAlive(p), false);
});

test('killTreeAndWait kills a tree that keeps forking', async () => {
  const { q } = startTree('while :; do sleep 1000 & sleep 0.01; done');
  await waitFor('some children', () => findTree(q).length >= 3);
  const res = await killTreeAndWait(q, { timeoutMs: 5000, pollMs: 5 });
  remember(res.killed);
  assert.deepEqual(res.left, []);
  assert.ok(res.killed.includes(q.pid));
  for (const p of res.killed) assert.equal(isAlive(p), false);
});

test('findTree never returns ourselves, pid 1 or our own session', () => {
  const self = readStat(process.pid)!;
  assert.deepEqual(findTree({ pid: process.pid }), []);
  assert.deepEqual(findTree({ pid: 1 }), []);
  assert.deepEqual(findTree({ pid: NO_SUCH_PID, pgid: self.pgid, sid: self.sid }), []);
  assert.deepEqual(findTree({ pid: NO_SUCH_PID, pgid: 0, sid: 0, marker: '' }), []);
  assert.deepEqual(findTree({ pid: NO_SUCH_PID, marker: `absent-${randomUUID()}` }), []);
});

test('signalTree ignores vanished processes and signals the group first', async () => {
  const { child, q } = startTree('sleep 1000 & sleep 1000 & wait');
  const tree = await waitFor('3 processes', () => {
    const t = findTree(q);
    return t.length === 3 ? t : undefined;
  });
  remember(tree);
  signalTree(tree, 0, q.pgid); // probe: no error while alive
  // Errors other than ESRCH surface (here an unknown signal, which process.kill rejects before sending)...
  assert.throws(() => signalTree([tree[0]], 'SIGNOPE' as NodeJS.Signals));
  // ...so no throw proves that ourselves, init, 0 and our own group are never even tried.
  const own = readStat(process.pid)!.pgid;
  assert.doesNotThrow(() => signalTree([process.pid, 1, 0, -1], 'SIGNOPE' as NodeJS.Signals, own));
  signalTree([], 'SIGKILL', q.pgid); // the group alone takes all three
  await exited(child);
  await waitFor('group dead', () => tree.every((p) => !isAlive(p)));
  assert.doesNotThrow(() => signalTree([...tree, NO_SUCH_PID], 'SIGTERM', q.pgid));
  assert.doesNotThrow(() => signalTree([NO_SUCH_PID], 9, NO_SUCH_PID));
});

