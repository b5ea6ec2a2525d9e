/** Tests of agent/stats/process-info.ts (formats, ProcSampler) against real processes. */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcSampler, bytes2human, commandName, formatCpuTime, type ProcessInfo } from '../../../agent/stats/process-info.ts';
import { childrenOf, parseStat, readStat, startTimeMs } from '../../../agent/supervise/proc.ts';
import { parseStatExtra } from '../../../agent/stats/procfs.ts';
import { setChildSubreaper } from '../../../agent/supervise/native.ts';
import { killQuietly, reapOrphanZombies, waitGone } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const NO_SUCH_PID = 99_999_999;
const HUMAN = /^(\d+B|\d+\.\d\d[KMGTP])$/;
const CTIME = /^\d+:[0-5]\d\.\d\d$/;
const children: ChildProcess[] = [];
const subreaper = setChildSubreaper(); // orphans of the killed trees are reaped here, not left as zombies
const sampler = new ProcSampler();

after(async () => {
  const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(tree)];
  const all = children.flatMap((c) => tree(c.pid as number));
  for (const c of children) killQuietly(-(c.pid as number)); // detached: pgid = pid
  await waitGone(all).catch(() => undefined); // every orphan reparented to us before reaping
  sampler.close();
  if (subreaper) await reapOrphanZombies(new Set(children.map((c) => c.pid as number)));
});

function start(cmd: string, ...args: string[]): number {
  const c = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  children.push(c);
  assert.ok(c.pid !== undefined, `spawn ${cmd}`);
  return c.pid;
}

/** Sample until pred holds (the process may not have exec'd yet). */
function sampleUntil(s: ProcSampler, pid: number, what: string, pred: (i: ProcessInfo) => boolean): Promise<ProcessInfo> {
  return waitFor(() => {
    const i = s.sample(pid);
    return i !== undefined && pred(i) && i;
  }, { what });
}

/** Names of the /proc/PID/stat files this process holds open. */
function openStatFiles(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (/^\/proc\/\d+\/stat$/.test(target)) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

test('bytes2human matches psutil/Circus', () => {
  const cases: [number, string][] = [
    [0, '0B'], [512, '512B'], [1023, '1023B'], [1024, '1.00K'], [1152, '1.12K'], [1160, '1.13K'], [1535, '1.50K'],
    [18_675_302, '17.81M'], [2_560_000, '2.44M'], [1024 ** 3 * 31.81, '31.81G'], [1024 ** 4, '1.00T'], [1024 ** 5 * 3, '3.00P'],
    [1024 * 1024 - 1, '1024.00K'],
  ];
  for (const [n, s] of cases) assert.equal(bytes2human(n), s, `bytes2human(${n})`);
});

test('formatCpuTime and commandName', () => {
  assert.equal(formatCpuTime(0), '0:00.00');
  assert.equal(formatCpuTime(31), '0:00.31');
  assert.equal(formatCpuTime(12 * 6000 + 305), '12:03.05');
  assert.equal(formatCpuTime(75 * 6000 + 5999), '75:59.99');
  assert.equal(commandName('/usr/bin/python3'), 'python3');
  assert.equal(commandName('sleep'), 'sleep');
  assert.equal(commandName('nginx: master process /usr/sbin/nginx'), 'nginx:');
  assert.equal(commandName('/usr/lib/postgresql/bin/postgres -D x'), 'postgres');
});

test('parseStatExtra: negative nice and a comm with parentheses and spaces', () => {
  // fields 4..18, then nice (19) = -20, num_threads (20) = 3, itrealvalue, starttime, vsize, rss, ...
  const line = `4242 (we ) ird) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 5 0 0 0 -20 3 0 12345 2560000 380 18446744073709551615\n`;
  const buf = Buffer.from(line);
  assert.deepEqual(parseStatExtra(buf, buf.length), { nice: -20, numThreads: 3 });
  const st = parseStat(buf, buf.length);
  assert.equal(st?.comm, 'we ) ird');
  assert.equal(st?.utime, 7);
  assert.equal(st?.starttime, 12345);
  assert.equal(parseStatExtra(buf, 30), undefined, 'truncated');
});

test('a sleep: field shapes and values', async () => {
  const before = Date.now();
  const pid = start('sleep', '600');
  const s = new ProcSampler();
  const info = await sampleUntil(s, pid, 'sleep exec', (i) => i.cmdline === 'sleep');
  assert.deepEqual(Object.keys(info), [
    'mem_info1', 'mem_info2', 'cpu', 'mem', 'ctime', 'pid', 'username', 'nice', 'create_time', 'age', 'cmdline', 'children',
  ]);
  assert.match(info.mem_info1, HUMAN);
  assert.match(info.mem_info2, HUMAN);
  assert.match(info.ctime, CTIME);
  assert.equal(info.pid, pid);
  assert.equal(info.username, 'root');
  assert.equal(info.nice, 0);
  assert.deepEqual(info.children, []);
  assert.ok(info.mem >= 0 && info.mem < 100 && Math.round(info.mem * 1000) / 1000 === info.mem, `mem ${info.mem}`);
  assert.equal(Math.round(info.create_time * 100) / 100, info.create_time);
  assert.ok(Math.abs(info.create_time - before / 1000) < 5, `create_time ${info.create_time} vs ${before / 1000}`);
  assert.ok(info.age >= 0 && info.age < 60, `age ${info.age}`);
  s.close();
});

test('first sample has cpu 0.0; a busy loop shows > 50 % on a later sample', async () => {
  const pid = start(process.execPath, '-e', 'for(;;){}');
  const s = new ProcSampler();
  const first = s.sample(pid);
  assert.ok(first);
  assert.equal(first.cpu, 0);
  const busy = await waitFor(async () => {
    await sleep(500);
    const i = s.sample(pid);
    return i !== undefined && i.cpu > 50 && i;
  }, { what: 'busy loop above 50 % cpu', intervalMs: 0 });
  assert.ok(busy.cpu > 50, `cpu ${busy.cpu}`);
  assert.equal(Math.round(busy.cpu * 10) / 10, busy.cpu);
  s.prune(new Set());
  assert.equal(s.sample(pid)?.cpu, 0, 'history forgotten by prune');
  s.close();
});

test('nice, including negative values', async () => {
  const up = start('nice', '-n', '7', 'sleep', '600');
  const down = start('nice', '-n', '-4', 'sleep', '600');
  assert.equal((await sampleUntil(sampler, up, 'nice 7 sleep', (i) => i.cmdline === 'sleep')).nice, 7);
  assert.equal((await sampleUntil(sampler, down, 'nice -4 sleep', (i) => i.cmdline === 'sleep')).nice, -4);
});

test('children are listed recursively, down to depth 4', async () => {
  const sh = start('sh', '-c', 'sleep 600 & wait');
  const info = await sampleUntil(sampler, sh, 'sh child', (i) => i.children.length === 1 && i.children[0].cmdline === 'sleep');
  assert.equal(info.cmdline, 'sh');
  assert.equal(info.children[0].username, 'root');
  assert.match(info.children[0].ctime, CTIME);
  assert.deepEqual(sampler.sample(sh, { children: false })?.children, []);

  const chain = start('sh', '-c', 'f() { if [ "$1" -gt 0 ]; then f $(($1 - 1)) & wait; else exec sleep 600; fi; }; f 6');
  let deepest: ProcessInfo | undefined;
  await sampleUntil(sampler, chain, 'a chain of 6 descendants', () => {
    const chainLen = (pid: number): number => (childrenOf(pid).length === 0 ? 0 : 1 + chainLen(childrenOf(pid)[0]));
    return chainLen(chain) >= 6;
  });
  let node = sampler.sample(chain);
  for (let depth = 0; node && depth < 4; depth++) {
    assert.equal(node.children.length, 1, `one child at depth ${depth}`);
    node = node.children[0];
    deepest = node;
  }
  assert.ok(deepest);
  assert.deepEqual(deepest.children, [], 'nothing below depth 4');
  assert.ok(childrenOf(deepest.pid).length > 0, 'although the process has children');
});

test('a vanished pid, a zombie and an unknown pid give undefined', async () => {
  const s = new ProcSampler();
  assert.equal(s.sample(NO_SUCH_PID), undefined);
  const c = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  assert.equal(s.sample(c.pid as number), undefined);

  const doomed = spawn('sleep', ['600'], { stdio: 'ignore' });
  assert.ok(s.sample(doomed.pid as number), 'sampled once: its stat fd is cached');
  assert.ok(openStatFiles().includes(`/proc/${doomed.pid}/stat`));
  doomed.kill('SIGKILL');
  await new Promise((r) => doomed.once('exit', r));
  assert.equal(s.sample(doomed.pid as number), undefined, 'exited and reaped: ESRCH on the cached fd');
  assert.equal(s.size, 0);
  assert.ok(!openStatFiles().includes(`/proc/${doomed.pid}/stat`), 'cached fd closed');

  const parent = start('sh', '-c', 'sleep 0 & exec sleep 600'); // sleep 600 never reaps the sleep 0
  const zombie = await waitFor(() => childrenOf(parent).find((p) => readStat(p)?.state === 'Z'), { what: 'a zombie child' });
  assert.equal(s.sample(zombie), undefined);
  const info = await sampleUntil(s, parent, 'parent exec', (i) => i.cmdline === 'sleep');
  assert.deepEqual(info.children, [], 'zombie children are not listed');
  s.close();
});

test('injected clock drives age and cpu', async () => {
  const pid = start('sleep', '600');
  await waitFor(() => readStat(pid)?.comm === 'sleep', { what: 'sleep exec' });
  const st = readStat(pid);
  assert.ok(st);
  let now = startTimeMs(st) + 5000;
  const s = new ProcSampler({ now: () => now });
  const a = s.sample(pid);
  assert.equal(a?.age, 5);
  assert.equal(a?.cpu, 0);
  now += 1000;
  const b = s.sample(pid);
  assert.equal(b?.age, 6);
  assert.equal(b?.cpu, 0, 'sleep uses no cpu');
  assert.equal(s.sample(pid)?.cpu, 0, 'no time elapsed: 0, not NaN');
  s.close();
});

test('prune forgets pids outside the live set but keeps descendants of live roots; fds are closed', async () => {
  const sh = start('sh', '-c', 'sleep 600 & wait');
  const s = new ProcSampler();
  const info = await sampleUntil(s, sh, 'sh child', (i) => i.children.length === 1);
  const kid = info.children[0].pid;
  const other = start('sleep', '600');
  assert.ok(s.sample(other));
  assert.equal(s.size, 3);
  for (const p of [sh, kid, other]) assert.ok(openStatFiles().includes(`/proc/${p}/stat`), `fd of ${p} cached`);
  s.prune(new Set([sh]));
  assert.equal(s.size, 2, 'sh and its child kept');
  assert.ok(!openStatFiles().includes(`/proc/${other}/stat`), 'fd of the pruned pid closed');
  s.sample(sh, { children: false });
  s.prune(new Set([sh]));
  assert.equal(s.size, 1, 'the child was not read since the last prune');
  s.prune(new Set());
  assert.equal(s.size, 0);
  assert.ok(!openStatFiles().some((f) => [sh, kid].some((p) => f === `/proc/${p}/stat`)));
});

test('maxOpenFds bounds the cached fds without losing cpu history', async () => {
  const pid = start(process.execPath, '-e', 'for(;;){}');
  const s = new ProcSampler({ maxOpenFds: 0 });
  assert.equal(s.sample(pid)?.cpu, 0);
  assert.ok(!openStatFiles().includes(`/proc/${pid}/stat`));
  await waitFor(async () => {
    await sleep(300);
    return (s.sample(pid)?.cpu ?? 0) > 0;
  }, { what: 'cpu history kept without a cached fd', intervalMs: 0 });
  s.close();
});
