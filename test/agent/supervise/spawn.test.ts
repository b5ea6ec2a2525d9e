// What a child receives: argv after substitution, environment, working folder, credentials, rlimits, own group.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { procStat } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

const firstLine = (t: TestArbiter, watcher: string, wid: number) =>
  waitFor(() => t.arbiter.get(watcher).slot(wid)!.ring.lines()[0]?.line, { what: `${watcher}.${wid} output` });
const status = (pid: number, field: string) =>
  readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`))!.split(/\s+/).slice(1);

test('argv: $(circus.wid) and $(ring.env.X) substituted per process, quoted words kept whole', async () => {
  const t = await startArbiter(`
[env]
PORT_BASE = "80"
[watchers.web]
cmd = ${q(`${process.execPath} ${fixture('sleeper.mjs')} --port $(circus.env.PORT_BASE)0$(circus.wid) "two words" $(ring.name)`)}
args = ["--extra", "$(circus.wid)"]
numprocesses = 2
`);
  open.push(t);
  assert.equal(await firstLine(t, 'web', 1), JSON.stringify(['--port', '8001', 'two words', 'web', '--extra', '1']));
  assert.equal(await firstLine(t, 'web', 2), JSON.stringify(['--port', '8002', 'two words', 'web', '--extra', '2']));
});

test('environment: only [env] + watcher env without copy_env, a default PATH, RING_* variables', async () => {
  process.env.RING_TEST_LEAK = 'should-not-leak';
  const t = await startArbiter(`
[env]
SHARED = "global"
[watchers.envy]
cmd = "sh -c 'echo $SHARED/$OWN/$RING_WATCHER/$RING_WID/\${RING_TEST_LEAK:-none}/$PATH'"
respawn = false
[watchers.envy.env]
OWN = "mine"
[watchers.copy]
cmd = "sh -c 'echo \${RING_TEST_LEAK:-none}'"
copy_env = true
respawn = false
`);
  open.push(t);
  assert.equal(await firstLine(t, 'envy', 1), 'global/mine/envy/1/none//usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  assert.equal(await firstLine(t, 'copy', 1), 'should-not-leak');
});

test('shell mode, working_dir, and each process in its own process group and session', async () => {
  const t = await startArbiter(`
[watchers.sh]
cmd = "echo $((6 * 7)) && pwd && sleep 600"
shell = true
working_dir = "{dir}/work"
`, { start: false });
  open.push(t);
  mkdirSync(join(t.dir, 'work'));
  await t.arbiter.startWatcher('sh');
  await waitFor(() => t.arbiter.get('sh').slot(1)!.ring.size >= 2, { what: 'two lines' });
  const [answer, cwd] = t.arbiter.get('sh').slot(1)!.ring.lines().map((l) => l.line);
  assert.equal(answer, '42');
  assert.equal(cwd, realpathSync(join(t.dir, 'work')));
  const [pid] = t.pids('sh');
  const st = procStat(pid)!;
  assert.equal(st.pgrp, pid);
  assert.equal(st.session, pid);
});

test('uid/gid and rlimits are applied in the child', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const t = await startArbiter(`
[watchers.low]
cmd = "sleep 600"
uid = "nobody"
gid = "nogroup"
rlimit_nofile = 123
rlimit_core = 0
`);
  open.push(t);
  const [pid] = t.pids('low');
  await waitFor(() => procStat(pid)?.comm === 'sleep', { what: 'sleep exec' });
  assert.deepEqual(status(pid, 'Uid').slice(0, 2), ['65534', '65534']);
  assert.deepEqual(status(pid, 'Gid').slice(0, 2), ['65534', '65534']);
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  assert.match(limits, /Max open files\s+123\s+123/);
  assert.match(limits, /Max core file size\s+0\s+0/);
});
