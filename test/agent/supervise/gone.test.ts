/**
 * surelyGone (agent/supervise/tree.ts): after a child exits, ringd skips the /proc scan for leftovers only when nothing
 * can be left — never when a process stayed in the group or escaped by setsid; the scan then finds them. This test
 * process is made a child subreaper, as ringd is.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SPAWN_MARKER_ENV } from '../../../agent/defaults.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';
import { CLK_TCK, childrenOf, readStat } from '../../../agent/supervise/proc.ts';
import { scanCounters, spawnedExited, spawnedWithMarker } from '../../../agent/supervise/scan.ts';
import { findTree, surelyGone, type TreeQuery } from '../../../agent/supervise/tree.ts';
import { waitFor } from '../../support/wait.ts';

const leftovers = new Set<number>();
before(() => assert.ok(setChildSubreaper(), 'this test process is a child subreaper'));
after(() => {
  for (const pid of leftovers) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
});

/** Time since boot in clock ticks, the unit of a process's start time. */
const uptimeTicks = (): number => Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * CLK_TCK);

/** Runs `sh -c script` the way ringd spawns (own session, marked), waits for the sh to exit; returns its tree query. */
async function runToExit(script: string): Promise<TreeQuery> {
  const marker = `gone-test-${randomUUID()}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { ...process.env, [SPAWN_MARKER_ENV]: marker } });
  const pid = child.pid as number;
  const startTime = spawnedWithMarker(pid, marker);
  await new Promise<void>((r) => child.once('exit', () => { spawnedExited(pid); r(); }));
  return { pid, pgid: pid, sid: pid, marker, startTime };
}

test('a child that left nothing behind needs no scan', async () => {
  const q = await runToExit('exit 3');
  assert.equal(surelyGone(q), true);
  assert.deepEqual(findTree(q), []);
});

test('a process left in the group, or escaped with setsid, makes it scan — and the scan finds it', async () => {
  for (const script of ['sleep 600 & exit 0', 'setsid -f sleep 600; exit 0']) {
    const q = await runToExit(script);
    const found = await waitFor(() => { const t = findTree(q); return t.length > 0 && t; }, { what: `the leftover of ${script}` });
    for (const pid of found) leftovers.add(pid);
    assert.equal(surelyGone(q), false, script);
  }
});

test('an orphan older than the tree does not count; one started with it does', async () => {
  const older = await runToExit('setsid -f sleep 600; exit 0');
  const orphan = await waitFor(() => { const t = findTree(older); return t.length === 1 && t[0]; }, { what: 'the older orphan' });
  leftovers.add(orphan);
  assert.ok(childrenOf(process.pid).includes(orphan), 'orphans are reparented to the subreaper');
  // Start times are in clock ticks: a tree started in the orphan's tick may be its sibling, and rightly scans.
  const born = readStat(orphan)!.starttime;
  await waitFor(() => uptimeTicks() > born, { what: 'a clock tick after the orphan started' });
  assert.equal(surelyGone(await runToExit('exit 0')), true);
});

test('what ringd remembers of a spawned process is forgotten when it exits, scan or no scan', async () => {
  const before = scanCounters();
  for (let i = 0; i < 20; i++) assert.equal(surelyGone(await runToExit('exit 0')), true);
  const after = scanCounters();
  assert.equal(after.scans, before.scans, 'no scan ran');
  assert.equal(after.cachedMarkers, before.cachedMarkers, 'no marker of an exited process is kept');
});
