/** Tests of agent/supervise/proc.ts and native.ts against real processes. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { reapOrphanZombies } from '../../support/proc.ts';
import { waitFor as pollFor } from '../../support/wait.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLK_TCK, bootTimeMs, childrenOf, isAlive, listPids, pageSize, parseStat, readEnvVar, readStat, startTimeMs,
} from '../../../agent/supervise/proc.ts';
import { killTreeAndWait, type TreeQuery } from '../../../agent/supervise/tree.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';

const NO_SUCH_PID = 99_999_999; // above any pid_max
const children: ChildProcess[] = [];
const trees: TreeQuery[] = [];
// This test file's own process becomes a subreaper so that the orphans it creates are reaped here, not left as
// zombies under a pid 1 that never reaps.
const subreaper = setChildSubreaper();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-proc-'));

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const q of trees) await killTreeAndWait(q, { timeoutMs: 3000 });
  await reapAll();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Reap our orphaned zombies until none are left. */
async function reapAll(): Promise<void> {
  if (subreaper) await reapOrphanZombies(new Set(children.map((c) => c.pid as number)));
}

/** Polls until fn returns a value (generous deadline: tests run on a loaded 2-core machine). */
function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return pollFor(fn, { what, timeoutMs, intervalMs: 10 });
}

function start(cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const c = spawn(cmd, args, { detached: true, stdio: 'ignore', env: env ?? process.env });
  children.push(c);
  assert.ok(c.pid !== undefined, `spawn ${cmd}`);
  const st = readStat(c.pid);
  // detached: pgid = sid = pid; startTime guards the cleanup against pid reuse
  if (st) trees.push({ pid: c.pid, pgid: c.pid, sid: c.pid, startTime: st.starttime });
  return c;
}

test('readStat of self', () => {
  const st = readStat(process.pid);
  assert.ok(st);
  assert.equal(st.pid, process.pid);
  assert.equal(st.ppid, process.ppid);
  assert.equal(st.comm, fs.readFileSync('/proc/self/comm', 'utf8').trim());
  assert.match(st.state, /^[RS]$/);
  assert.ok(st.rss > 1024 * 1024 && st.vsize >= st.rss, `rss ${st.rss} vsize ${st.vsize}`);
  assert.ok(st.utime + st.stime > 0);
  assert.equal(CLK_TCK, 100);
  const startedAt = Date.now() - process.uptime() * 1000;
  assert.ok(Math.abs(startTimeMs(st) - startedAt) < 3000, `start ${startTimeMs(st)} vs ${startedAt}`);
  assert.ok(bootTimeMs() < startTimeMs(st));
});

test('readStat of a spawned detached sleep', async () => {
  const before = Date.now();
  const c = start('sleep', ['1000']);
  const pid = c.pid as number;
  const st = await waitFor('sleep exec', () => {
    const s = readStat(pid);
    return s?.comm === 'sleep' ? s : undefined;
  });
  assert.equal(st.ppid, process.pid);
  assert.equal(st.pgid, pid);
  assert.equal(st.sid, pid);
  assert.ok(isAlive(pid));
  assert.ok(Math.abs(startTimeMs(st) - before) < 2500);
  c.kill('SIGKILL');
  await waitFor('reaped', () => readStat(pid) === undefined || !isAlive(pid));
});

test('comm with spaces and parentheses', async () => {
  const exe = path.join(tmp, 'a b) (c');
  fs.copyFileSync('/bin/sleep', exe);
  fs.chmodSync(exe, 0o755);
  const c = start(exe, ['1000']);
  const pid = c.pid as number;
  const st = await waitFor('weird comm', () => {
    const s = readStat(pid);
    return s?.comm === 'a b) (c' ? s : undefined;
  });
  assert.equal(st.pid, pid);
  assert.equal(st.ppid, process.pid);
  assert.equal(st.pgid, pid);
  assert.match(st.state, /^[RS]$/);
  c.kill('SIGKILL');
});

test('parseStat of a crafted line (parentheses in comm, negative fields we skip)', () => {
  const line = '4242 () x (y) 1 2) S 17 4242 4200 34816 -1 4194560 100 0 0 0 250 75 0 0 -5 5 1 0 123456 9999360 321 '
    + '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
  const st = parseStat(Buffer.from(line), Buffer.byteLength(line));
  assert.deepEqual(st, {
    pid: 4242, comm: ') x (y) 1 2', state: 'S', ppid: 17, pgid: 4242, sid: 4200, utime: 250, stime: 75,
    starttime: 123456, vsize: 9999360, rss: 321 * pageSize(),
  });
  assert.equal(parseStat(Buffer.from('12 (trunc'), 9), undefined);
});

test('missing pid', () => {
  assert.equal(readStat(NO_SUCH_PID), undefined);
  assert.equal(isAlive(NO_SUCH_PID), false);
  assert.equal(readEnvVar(NO_SUCH_PID, 'PATH'), undefined);
  assert.deepEqual(childrenOf(NO_SUCH_PID), []);
});

test('listPids', () => {
  const pids = listPids();
  assert.ok(pids.includes(process.pid));
  assert.ok(pids.includes(1));
  assert.ok(pids.every((p) => Number.isInteger(p) && p > 0));
});

test('readEnvVar', async () => {
  const c = start('sleep', ['1000'], { PATH: process.env.PATH, XFOO: 'nope', FOO: 'bar baz=1', EMPTY: '' });
  const pid = c.pid as number;
  await waitFor('exec', () => readStat(pid)?.comm === 'sleep');
  assert.equal(readEnvVar(pid, 'FOO'), 'bar baz=1');
  assert.equal(readEnvVar(pid, 'XFOO'), 'nope');
  assert.equal(readEnvVar(pid, 'EMPTY'), '');
  assert.equal(readEnvVar(pid, 'OO'), undefined);
  assert.equal(readEnvVar(pid, 'MISSING'), undefined);
  assert.equal(readEnvVar(2, 'PATH'), undefined); // kernel thread: empty environ
  c.kill('SIGKILL');
});

test('childrenOf', async () => {
  const a = start('sleep', ['1000']);
  const sh = start('sh', ['-c', 'sleep 1000 & sleep 1000 & wait']);
  const mine = childrenOf(process.pid);
  assert.ok(mine.includes(a.pid as number) && mine.includes(sh.pid as number));
  const kids = await waitFor('two background sleeps', () => {
    const k = childrenOf(sh.pid as number);
    return k.length === 2 && k.every((p) => readStat(p)?.comm === 'sleep') ? k : undefined;
  });
  for (const k of kids) assert.equal(readStat(k)?.ppid, sh.pid);
  process.kill(-(sh.pid as number), 'SIGKILL');
  a.kill('SIGKILL');
});

test('subreaper: orphan zombie is not alive and the orphan reaper reaps only it', async () => {
  const native = fileURLToPath(new URL('../../../agent/supervise/native.ts', import.meta.url));
  const procTs = fileURLToPath(new URL('../../../agent/supervise/proc.ts', import.meta.url));
  const orphansTs = fileURLToPath(new URL('../../../agent/safety/orphans.ts', import.meta.url));
  const script = path.join(tmp, 'zombie.mts');
  fs.writeFileSync(script, `
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { setChildSubreaper } from ${JSON.stringify(native)};
import { childrenOf, isAlive, readStat } from ${JSON.stringify(procTs)};
import { OrphanReaper } from ${JSON.stringify(orphansTs)};
const out: Record<string, unknown> = { subreaper: setChildSubreaper() };
const known = new Set<number>();
const guard = spawn('sleep', ['1000'], { stdio: 'ignore' });
known.add(guard.pid as number);
const guardExit = new Promise((r) => guard.on('exit', (code, sig) => r(sig ?? code)));
const sh = spawn('sh', ['-c', 'sleep 1000 >/dev/null 2>&1 & echo $!; exit 0'], { stdio: ['ignore', 'pipe', 'ignore'] });
known.add(sh.pid as number);
let text = '';
sh.stdout.on('data', (d) => { text += d; });
await new Promise((r) => sh.on('close', r));
const orphan = Number(text.trim());
out.orphan = orphan;
// Killed once reparented here: left to end by itself it might end before its shell, which would reap it.
const deadline = Date.now() + 10_000;
while (readStat(orphan)?.ppid !== process.pid && Date.now() < deadline) await sleep(10);
process.kill(orphan, 'SIGKILL');
while (readStat(orphan)?.state !== 'Z' && Date.now() < deadline) await sleep(10);
out.ppidIsUs = readStat(orphan)?.ppid === process.pid;
out.state = readStat(orphan)?.state;
out.alive = isAlive(orphan);
out.inChildren = childrenOf(process.pid).includes(orphan);
const reaper = new OrphanReaper(() => known, 0);
out.seenFirst = reaper.sweep(known);
out.reaped = reaper.sweep(known);
out.gone = readStat(orphan) === undefined;
out.reapedAgain = reaper.sweep(known);
guard.kill('SIGTERM');
out.guardExit = await guardExit;
console.log(JSON.stringify(out));
`);
  const cwd = fileURLToPath(new URL('../../../', import.meta.url));
  const runner = spawn(process.execPath, ['--import', 'tsx', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(runner);
  let stdout = '';
  let stderr = '';
  runner.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  runner.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((r) => runner.on('close', r));
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
  assert.equal(out.subreaper, true);
  assert.ok(typeof out.orphan === 'number' && out.orphan > 1);
  assert.equal(out.ppidIsUs, true);
  assert.equal(out.state, 'Z');
  assert.equal(out.alive, false);
  assert.equal(out.inChildren, true);
  assert.deepEqual(out.reaped, [out.orphan]);
  assert.equal(out.gone, true);
  assert.deepEqual(out.reapedAgain, []);
  assert.equal(out.guardExit, 'SIGTERM'); // libuv still got the exit status of its own child
});
