/** Tests of agent/supervise/scan.ts: shared /proc snapshots (one scan for callers asking together) and the marker cache. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { SPAWN_MARKER_ENV } from '../../../agent/defaults.ts';
import { isDeadState, readStat } from '../../../agent/supervise/proc.ts';
import { isSystemProcess, scanCounters, sharedSnapshot, spawnedWithMarker, takeSnapshot } from '../../../agent/supervise/scan.ts';
import { stopTree, type ExitStatus } from '../../../agent/supervise/stop.ts';
import { findTree, findTreeShared, type TreeQuery } from '../../../agent/supervise/tree.ts';
import { waitFor } from '../../support/wait.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A `sleep 1000` spawned like ringd does: own group and session, marked environment. */
function startSleep(): { child: ChildProcess; q: TreeQuery; exited: Promise<ExitStatus> } {
  const marker = `scan-test-${randomUUID()}`;
  const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore', env: { ...process.env, [SPAWN_MARKER_ENV]: marker } });
  children.push(child);
  const exited = new Promise<ExitStatus>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const pid = child.pid as number;
  return { child, q: { pid, pgid: pid, sid: pid, marker, startTime: readStat(pid)?.starttime }, exited };
}

test('requests made together share one snapshot, taken after the last of them', async () => {
  const before = scanCounters().scans;
  const first = sharedSnapshot();
  assert.equal(sharedSnapshot(), first, 'a second request joins the pending scan');
  const early = findTreeShared({ pid: 99_999_999 });
  // Started after the first requests but before the scan runs: the shared scan must see it.
  const { q } = startSleep();
  const late = findTreeShared(q);
  assert.deepEqual(await early, []);
  assert.deepEqual(await late, [q.pid]);
  assert.equal(scanCounters().scans - before, 1, 'one scan for all four requests');
  await first;
  const again = sharedSnapshot();
  assert.notEqual(again, first, 'a request after the scan was taken gets a new one');
  await again;
  assert.equal(scanCounters().scans - before, 2);
});

test('many trees stopping together share their scans', async () => {
  const n = 20;
  const sleeps = Array.from({ length: n }, startSleep);
  const before = scanCounters().scans;
  const outcomes = await Promise.all(sleeps.map(({ q, exited }) => stopTree(q, exited, {
    signal: 15, stopChildren: true, gracefulTimeout: 10_000,
    beforeSignal: () => Promise.resolve(true), afterSignal: () => undefined,
  })));
  const scans = scanCounters().scans - before;
  for (const o of outcomes) {
    assert.equal(o.status.signal, 'SIGTERM');
    assert.deepEqual(o.survivors, []);
    assert.equal(o.forcedAfterMs, undefined);
  }
  for (const { q } of sleeps) assert.deepEqual(findTree(q), []);
  // One scan per tree for stop_children and one after each exit would be 2n; shared, they follow the loop turns.
  assert.ok(scans <= n / 2, `${scans} scans for ${n} trees`);
});

test('environments are read once per process, not once per scan', () => {
  const a = takeSnapshot();
  a.marked(`absent-${randomUUID()}`);
  const reads = scanCounters().environReads;
  const b = takeSnapshot();
  assert.deepEqual(b.marked(`absent-${randomUUID()}`), []);
  // Only processes that are new (or exec'd) since snapshot a may need a read.
  const changed = [...b.stats.values()].filter((st) => {
    if (isSystemProcess(st) || isDeadState(st.state)) return false;
    const old = a.stats.get(st.pid);
    return old?.starttime !== st.starttime || old.comm !== st.comm;
  }).length;
  assert.ok(scanCounters().environReads - reads <= changed + 2, `${scanCounters().environReads - reads} reads, ${changed} new`);
});

test('a known marker is trusted until the process execs; then its environment is read again', async () => {
  const marker = `scan-test-${randomUUID()}`;
  const child = spawn('sh', ['-c', 'read line; exec sleep 1000'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, [SPAWN_MARKER_ENV]: marker } });
  children.push(child);
  const pid = child.pid as number;
  const planted = `planted-${randomUUID()}`;
  // What ringd says it gave the process wins over its environment while pid, start time and command are unchanged.
  assert.equal(spawnedWithMarker(pid, planted), readStat(pid)?.starttime);
  assert.deepEqual(takeSnapshot().marked(planted).map((st) => st.pid), [pid]);
  assert.deepEqual(findTree({ pid: 99_999_999, marker: planted }), [pid]);
  child.stdin?.end('go\n');
  await waitFor(() => readStat(pid)?.comm === 'sleep', { what: 'exec of sleep' });
  const snap = takeSnapshot();
  assert.deepEqual(snap.marked(planted), []);
  assert.deepEqual(snap.marked(marker).map((st) => st.pid), [pid]);
  assert.equal(spawnedWithMarker(99_999_999, 'nobody'), undefined);
});
