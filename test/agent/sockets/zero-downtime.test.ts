// Zero-downtime reloads under real load: Node, Python (blocking accept) and socat workers on agent-held TCP and unix
// sockets, reloaded ten times (graceful and sequential, 1 and 4 processes): not one failed or refused request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { startLoad, describeLoad, type LoadTarget } from '../../support/load.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });

const node = (args: string) => q(`${process.execPath} ${fixture('http-worker.mjs')} ${args}`);

function target(t: TestArbiter, socket: string): LoadTarget {
  const s = t.arbiter.sockets.view().find((e) => e.name === socket)!;
  return s.path ? { path: s.path } : { host: s.host!, port: s.port! };
}

/** Reloads `watcher` `times` times (alternating graceful and sequential) while load runs; returns the load result. */
async function reloadUnderLoad(t: TestArbiter, watcher: string, socket: string, opts: { keepAlive: boolean; times: number }) {
  const w = t.arbiter.get(watcher);
  const load = startLoad(target(t, socket), { concurrency: 16, keepAlive: opts.keepAlive, maxDurationMs: 120_000 });
  await waitFor(() => load.stats().ok >= 50, { what: 'load flowing', timeoutMs: 30_000 });
  const seen = new Set<number>();
  for (let i = 0; i < opts.times; i++) {
    for (const pid of t.pids(watcher)) seen.add(pid);
    await w.reload({ sequential: i % 2 === 1 });
    const before = load.stats().ok;
    await waitFor(() => load.stats().ok > before + 20, { what: `requests after reload ${i + 1}`, timeoutMs: 30_000 });
  }
  const result = await load.stop();
  for (const pid of t.pids(watcher)) seen.add(pid);
  return { result, processes: seen.size };
}

for (const [numprocesses, keepAlive] of [[1, false], [4, true]] as const) {
  test(`Node workers, TCP, ${numprocesses} process(es), keep-alive ${keepAlive}: 10 reloads, zero failed requests`, async () => {
    const t = await startArbiter(`
[sockets.web]
port = 0
[watchers.web]
cmd = ${node('--fd $(circus.sockets.web)')}
numprocesses = ${numprocesses}
ready_notify = "fd"
graceful_timeout = "15s"
`);
    open.push(t);
    const { result, processes } = await reloadUnderLoad(t, 'web', 'web', { keepAlive, times: 10 });
    assert.equal(result.failed, 0, describeLoad(result));
    assert.equal(processes, numprocesses * 11, 'every reload replaced every process');
    assert.ok(Object.keys(result.servedBy).length >= processes / 2, `many processes served: ${describeLoad(result)}`);
    process.stdout.write(`# node tcp n=${numprocesses} keepalive=${keepAlive}: ${describeLoad(result)}\n`);
    await t.close();
  });
}

test('Node workers on a unix socket: 10 reloads, zero failed requests', async () => {
  const t = await startArbiter(`
[sockets.web]
path = "{dir}/web.sock"
[watchers.web]
cmd = ${node('--fd $(circus.sockets.web)')}
numprocesses = 2
ready_notify = "fd"
`);
  open.push(t);
  const { result } = await reloadUnderLoad(t, 'web', 'web', { keepAlive: false, times: 10 });
  assert.equal(result.failed, 0, describeLoad(result));
  process.stdout.write(`# node unix: ${describeLoad(result)}\n`);
  await t.close();
});

test('Python workers blocking in accept() (blocking = true): 10 reloads, zero failed requests', async () => {
  const t = await startArbiter(`
[sockets.py]
port = 0
blocking = true
[watchers.py]
cmd = ${q(`python3 ${fixture('py-worker.py')} $(circus.sockets.py)`)}
numprocesses = 2
ready_delay = "300ms"
copy_env = true
`);
  open.push(t);
  const { result } = await reloadUnderLoad(t, 'py', 'py', { keepAlive: false, times: 10 });
  assert.equal(result.failed, 0, describeLoad(result));
  process.stdout.write(`# python tcp: ${describeLoad(result)}\n`);
  await t.close();
});

test('socat workers on a unix socket: 10 reloads, zero failed requests', async () => {
  const t = await startArbiter(`
[sockets.sh]
path = "{dir}/sh.sock"
[watchers.sh]
cmd = ${q(`${fixture('socat-worker.sh')} $(circus.sockets.sh)`)}
numprocesses = 2
ready_delay = "300ms"
`);
  open.push(t);
  const { result } = await reloadUnderLoad(t, 'sh', 'sh', { keepAlive: false, times: 10 });
  assert.equal(result.failed, 0, describeLoad(result));
  process.stdout.write(`# socat unix: ${describeLoad(result)}\n`);
  await t.close();
});

test('a restart (stop, then start) loses nothing either: connections wait in the accept queue', async () => {
  const t = await startArbiter(`
[sockets.web]
port = 0
[watchers.web]
cmd = ${node('--fd $(circus.sockets.web)')}
`);
  open.push(t);
  const load = startLoad(target(t, 'web'), { concurrency: 8, keepAlive: false, maxDurationMs: 60_000 });
  await waitFor(() => load.stats().ok >= 50, { what: 'load flowing' });
  for (let i = 0; i < 3; i++) await t.arbiter.get('web').restart();
  const before = load.stats().ok;
  await waitFor(() => load.stats().ok > before + 20, { what: 'requests after the restarts' });
  const result = await load.stop();
  assert.equal(result.failed, 0, describeLoad(result));
});
