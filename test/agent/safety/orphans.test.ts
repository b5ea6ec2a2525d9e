// The orphan reaper: orphans reparented to the agent (a subreaper) are reaped after their SIGCHLD, without a periodic
// sweep, and the exit status of Node's own children is never taken from libuv.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { OrphanReaper } from '../../../agent/safety/orphans.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';
import { procStat } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const subreaper = setChildSubreaper();
const skip = subreaper ? false : 'cannot become a child subreaper (koffi unavailable)';
const CONFIRM_MS = 200;
const reaper = new OrphanReaper(() => new Set(), CONFIRM_MS);
after(() => reaper.stop());

/**
 * An orphan of this process that has just exited: a `sleep` started in the background of a shell that exits at once,
 * killed once it has been reparented here. (Left to end by itself it might end first, and the shell would reap it.)
 */
async function deadOrphan(): Promise<number> {
  const sh = spawn('/bin/sh', ['-c', 'sleep 600 >/dev/null & echo $!'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(sh, 'close');
  const pid = Number(out.trim());
  await waitFor(() => procStat(pid)?.ppid === process.pid, { what: `orphan ${pid} reparented to this process`, timeoutMs: 10_000 });
  process.kill(pid, 'SIGKILL');
  return pid;
}

test('an orphan that exits is reaped after its SIGCHLD', { skip }, async () => {
  reaper.start();
  const pid = await deadOrphan();
  await waitFor(() => procStat(pid) === undefined, { what: `orphan ${pid} to be reaped`, timeoutMs: 10_000 });
});

test('a sweep takes an orphaned zombie only at its second sighting', { skip }, async () => {
  const idle = new OrphanReaper(() => new Set(), CONFIRM_MS); // never started: swept by hand
  reaper.stop();
  try {
    const pid = await deadOrphan();
    await waitFor(() => procStat(pid)?.state === 'Z', { what: `orphan ${pid} to be a zombie`, timeoutMs: 10_000 });
    assert.deepEqual(idle.sweep(new Set()), [], 'first sighting: left alone');
    assert.equal(idle.pending, true);
    assert.deepEqual(idle.sweep(new Set()), [pid], 'second sighting: reaped');
    assert.equal(idle.pending, false);
  } finally {
    reaper.start();
  }
});

test("Node's own children keep their exit status even when the reaper does not know them", { skip }, async () => {
  for (let i = 0; i < 5; i++) {
    const child = spawn('/bin/sh', ['-c', 'exit 7'], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 7);
  }
});
