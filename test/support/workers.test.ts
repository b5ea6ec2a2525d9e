// The worker fixtures (http-worker.mjs, py-worker.py, socat-worker.sh) on sockets bound by the agent's bindSocket and
// passed at fd 3 through fdLayout: they serve under load with 0 failures, signal readiness, and drain on SIGTERM.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { findTree, killTreeAndWait } from '../../agent/supervise/tree.ts';
import http from 'node:http';
import net from 'node:net';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { bindSocket, type BoundSocket, type SocketConfig } from '../../agent/sockets/bind.ts';
import { fdLayout } from '../../agent/sockets/passing.ts';
import { socketStats } from '../../agent/sockets/stats.ts';
import { fixture } from './fixtures.ts';
import { describeLoad, runLoad, startLoad, type LoadTarget } from './load.ts';
import { waitGone } from './proc.ts';
import { tmpDir } from './tmp.ts';
import { waitFor, waitForLine } from './wait.ts';

const bound: BoundSocket[] = [];
const groups: number[] = [];
after(async () => {
  // The whole tree, not only the group: the socat worker's acceptor runs in its own session.
  for (const pgid of groups) await killTreeAndWait({ pid: pgid, pgid }, { timeoutMs: 5000 });
  for (const s of bound) s.close();
});

type Kind = 'http' | 'py' | 'socat';
interface Worker {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

function sock(over: Partial<SocketConfig> & { unix?: boolean }): BoundSocket {
  const { unix, ...rest } = over;
  const s = bindSocket({
    name: 'web', family: unix ? 'unix' : 'inet', type: 'stream', host: '127.0.0.1', port: 0, backlog: 128,
    path: unix ? join(tmpDir('workers'), 'web.sock') : undefined,
    replace: false, blocking: false, so_reuseport: false, close_when_unused: false, ...rest,
  });
  bound.push(s);
  return s;
}
const targetOf = (s: BoundSocket): LoadTarget => (s.path ? { path: s.path } : { host: '127.0.0.1', port: s.port! });

/** Spawns a fixture in its own process group with s at fd 3 and, with readyPipe, a pipe at fd 4 (RING_READY_FD). */
function spawnWorker(kind: Kind, s: BoundSocket, env: Record<string, string> = {}, readyPipe = false): Worker {
  const cmd: Record<Kind, string[]> = {
    http: [process.execPath, fixture('http-worker.mjs'), '--fd', '3'],
    py: ['python3', fixture('py-worker.py'), '3'],
    socat: ['sh', fixture('socat-worker.sh'), '3'],
  };
  const [file = '', ...args] = cmd[kind];
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...fdLayout([s]).stdioExtra, ...(readyPipe ? ['pipe' as const] : [])];
  const child = spawn(file, args, { stdio, detached: true, env: { ...process.env, ...env, ...(readyPipe ? { RING_READY_FD: '4' } : {}) } });
  if (child.pid === undefined) throw new Error(`cannot spawn ${kind} worker`);
  groups.push(child.pid);
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, exited, stdout: () => out, stderr: () => err };
}

/** Resolves with the text read from the readiness pipe (fd 4) once it holds a "\n". */
function readiness(w: Worker): Promise<string> {
  const pipe = w.child.stdio[4] as Readable | null | undefined;
  if (!pipe) throw new Error('no readiness pipe');
  return waitForLine(pipe, /^$/, 30_000).then(() => '\n');
}

function get(t: LoadTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    const where = 'path' in t ? { socketPath: t.path } : { host: t.host, port: t.port };
    http.get({ ...where, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    }).once('error', reject);
  });
}

for (const unix of [false, true]) {
  test(`http-worker (${unix ? 'unix' : 'TCP'}): RING_READY_FD handshake, then 0 failures under load, keep-alive or not`, async () => {
    const s = sock({ unix });
    const w = spawnWorker('http', s, { RING_WID: '7' }, true);
    assert.equal(await readiness(w), '\n');
    assert.equal(await get(targetOf(s)), `${w.pid} 7\n`);
    for (const keepAlive of [true, false]) {
      const r = await runLoad(targetOf(s), { concurrency: 8, keepAlive, maxRequests: 300, maxDurationMs: 60_000 });
      assert.equal(r.failed, 0, describeLoad(r));
      assert.deepEqual(r.servedBy, { [String(w.pid)]: 300 });
    }
  });
}

test('http-worker: READY_DELAY_MS delays readiness, connections meanwhile queue (not refused); NOTIFY_SOCKET gets READY=1', async () => {
  const s = sock({});
  const notifyPath = join(tmpDir('workers-notify'), 'notify.sock');
  const recv = spawn('socat', ['-u', `UNIX-RECV:${notifyPath}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  groups.push(recv.pid ?? 0);
  let notified = '';
  recv.stdout?.on('data', (b: Buffer) => (notified += b.toString()));
  await waitFor(() => existsSync(notifyPath), { what: 'the notify receiver to bind' });
  const t0 = Date.now();
  const w = spawnWorker('http', s, { READY_DELAY_MS: '800', NOTIFY_SOCKET: notifyPath }, true);
  const early = get(targetOf(s));
  await readiness(w);
  assert.ok(Date.now() - t0 >= 800, `ready after ${Date.now() - t0} ms`);
  assert.equal(await early, `${w.pid} -\n`);
  await waitFor(() => notified === 'READY=1', { what: 'READY=1 on NOTIFY_SOCKET', timeoutMs: 30_000 });
});

test('http-worker: NEVER_READY=1 never signals readiness and never serves; SIGTERM still exits 0', async () => {
  const s = sock({});
  const w = spawnWorker('http', s, { NEVER_READY: '1' }, true);
  const pending = get(targetOf(s)).catch((e: Error) => e.message);
  await waitFor(() => socketStats(s).queued === 1, { what: 'the request to sit in the accept queue' });
  const none = await Promise.race([readiness(w), new Promise<string>((r) => setTimeout(() => r('none'), 1500))]);
  assert.equal(none, 'none', 'a NEVER_READY worker signalled readiness');
  assert.equal(socketStats(s).queued, 1, 'a NEVER_READY worker accepted a connection');
  w.child.kill('SIGTERM');
  assert.deepEqual(await w.exited, { code: 0, signal: null });
  s.close(); // refuses (resets) the queued connection
  assert.match(await pending, /ECONNRESET|socket hang up/);
});

test('py-worker: blocking accept serves with 0 failures when blocking = true; without it, BlockingIOError and exit 3', async () => {
  const s = sock({ blocking: true });
  const w = spawnWorker('py', s);
  await waitFor(() => w.stdout().includes('accepting'), { what: 'py-worker to start' });
  for (const keepAlive of [false, true]) {
    const r = await runLoad(targetOf(s), { concurrency: 4, keepAlive, maxRequests: 100, maxDurationMs: 60_000 });
    assert.equal(r.failed, 0, describeLoad(r));
    assert.deepEqual(r.servedBy, { [String(w.pid)]: 100 });
  }
  const nb = spawnWorker('py', sock({ blocking: false }));
  assert.deepEqual(await nb.exited, { code: 3, signal: null });
  assert.match(nb.stderr(), /BlockingIOError on accept \(fd 3 is non-blocking/);
});

test('py-worker: SIGTERM while idle exits 0; SIGTERM with a connection in hand finishes it, then exits 0', async () => {
  const idle = spawnWorker('py', sock({ blocking: true }));
  await waitFor(() => idle.stdout().includes('accepting'), { what: 'py-worker to start' });
  idle.child.kill('SIGTERM');
  assert.deepEqual(await idle.exited, { code: 0, signal: null });

  const s = sock({ blocking: true });
  const busy = spawnWorker('py', s);
  await waitFor(() => busy.stdout().includes('accepting'), { what: 'py-worker to start' });
  const conn = net.connect(s.port!, '127.0.0.1');
  let reply = '';
  conn.on('data', (b: Buffer) => (reply += b.toString()));
  const closed = new Promise<void>((r) => conn.once('close', () => r()));
  conn.write('GET / HTTP/1.0\r\n'); // half a head: the worker accepts and waits for the rest
  await waitFor(() => { const st = socketStats(s); return st.connections === 1 && st.queued === 0; }, { what: 'the connection to be accepted' });
  busy.child.kill('SIGTERM');
  await waitFor(() => busy.stdout().includes('stopping'), { what: 'py-worker to take the signal' });
  conn.write('Host: x\r\n\r\n');
  await closed;
  assert.match(reply, new RegExp(`^HTTP/1.0 200 OK\\r\\n[^]*\\r\\n\\r\\n${busy.pid}\\n$`));
  assert.deepEqual(await busy.exited, { code: 0, signal: null });
});

for (const unix of [false, true]) {
  test(`socat-worker (${unix ? 'unix' : 'TCP'}): 0 failures under load; SIGTERM exits 0 and leaves no live process`, async () => {
    const s = sock({ unix });
    const w = spawnWorker('socat', s);
    await waitFor(() => w.stdout().includes('accepting'), { what: 'socat-worker to start' });
    assert.equal(await get(targetOf(s)), `${w.pid} socat\n`);
    for (const keepAlive of [false, true]) {
      const r = await runLoad(targetOf(s), { concurrency: 4, keepAlive, maxRequests: 40, maxDurationMs: 120_000 });
      assert.equal(r.failed, 0, `${describeLoad(r)}\n${w.stderr()}`);
      assert.deepEqual(r.servedBy, { [String(w.pid)]: 40 });
    }
    const tree = findTree({ pid: w.pid, pgid: w.pid });
    assert.ok(tree.length >= 2, 'the worker shell and systemd-socket-activate (in its own session) run');
    w.child.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    await waitGone(tree, 15_000);
  });
}

for (const [unix, keepAlive] of [[false, true], [false, false], [true, true]] as const) {
  test(`SIGTERM drain (${unix ? 'unix' : 'TCP'}, ${keepAlive ? 'keep-alive' : 'Connection: close'}): one of two http-workers stops, 0 failed requests`, async () => {
    const s = sock({ unix });
    const workers = [spawnWorker('http', s, {}, true), spawnWorker('http', s, {}, true)];
    await Promise.all(workers.map(readiness));
    const load = startLoad(targetOf(s), { concurrency: 10, keepAlive, maxDurationMs: 120_000 });
    const served = (w: (typeof workers)[number]) => load.stats().servedBy[w.pid] ?? 0;
    await waitFor(() => load.stats().failed > 0 || served(workers[0]) + served(workers[1]) >= 100, { what: 'the workers to serve under load', timeoutMs: 60_000 });
    // The one that served more stops (with keep-alive, a loaded machine may hand every connection to one of them).
    const [a, b] = served(workers[0]) >= served(workers[1]) ? workers : [workers[1], workers[0]];
    a.child.kill('SIGTERM');
    assert.deepEqual(await a.exited, { code: 0, signal: null });
    const servedByB = load.stats().servedBy[b.pid] ?? 0;
    await waitFor(() => load.stats().failed > 0 || (load.stats().servedBy[b.pid] ?? 0) >= servedByB + 200,
      { what: 'the survivor to serve 200 more', timeoutMs: 60_000 });
    const r = await load.stop();
    assert.equal(r.failed, 0, describeLoad(r));
    assert.deepEqual(Object.keys(r.servedBy).sort(), [String(a.pid), String(b.pid)].sort());
  });
}
