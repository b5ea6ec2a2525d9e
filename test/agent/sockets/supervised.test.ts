// Agent-held sockets under supervision: fd passing, listsockets, close-when-unused, on_demand, readiness and reloads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControl, type TestControl } from '../../support/control.ts';
import { q } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { pidAlive } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestControl[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });
const worker = (extra = '') => q(`${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.web)${extra}`);

async function control(toml: string): Promise<TestControl> {
  const c = await startControl(toml);
  open.push(c);
  return c;
}

function get(where: { port?: number; path?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const target = where.path ? { socketPath: where.path } : { host: '127.0.0.1', port: where.port };
    http.get({ ...target, path: '/', agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) { this.destroy(new Error('timeout')); });
  });
}

const sockets = (c: TestControl) => c.call('listsockets').then((r) => r.sockets as Record<string, unknown>[]);
const port = async (c: TestControl, name: string) => (await sockets(c)).find((s) => s.name === name)!.port as number;

test('a watcher gets exactly the sockets it references, at the fd $(circus.sockets.NAME) names; listsockets shows them', async () => {
  const c = await control(`
[sockets.web]
port = 0
[sockets.admin]
path = "{dir}/admin.sock"
close_when_unused = false
[watchers.web]
cmd = ${worker()}
`);
  const list = await sockets(c);
  const web = list.find((s) => s.name === 'web')!;
  assert.deepEqual(Object.keys(web), ['fd', 'name', 'backlog', 'host', 'port'], "Circus's keys for a TCP socket");
  assert.deepEqual(Object.keys(list.find((s) => s.name === 'admin')!), ['fd', 'name', 'backlog', 'path'], 'and for a unix one');
  assert.deepEqual(list.map((s) => s.fd), list.map((s) => s.fd as number).sort((x, y) => x - y), 'sorted by fd');
  assert.equal(web.host, '127.0.0.1');
  assert.ok((web.port as number) > 0);
  assert.equal(web.backlog, 2048);
  assert.equal(list.find((s) => s.name === 'admin')!.path, join(c.dir, 'admin.sock'));
  const [pid] = c.pids('web');
  assert.equal(await get({ port: web.port as number }), `${pid} 1\n`);
  const fds = readdirSync(`/proc/${pid}/fd`).map(Number).filter((fd) => fd > 2)
    .filter((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:'); } catch { return false; } });
  assert.ok(fds.includes(3), 'the web socket is fd 3');
  const adminInode = readlinkSync(`/proc/self/fd/${list.find((s) => s.name === 'admin')!.fd as number}`);
  assert.ok(!fds.some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === adminInode), 'admin was not given to web');
});

test('connections made while no worker runs wait in the queue and are served by the next one', async () => {
  const c = await control(`
[sockets.web]
port = 0
[watchers.web]
cmd = ${worker()}
`);
  const p = await port(c, 'web');
  await c.call('stop', { name: 'web', waiting: true });
  const pending = get({ port: p });
  await waitFor(() => c.arbiter.sockets.stats()[0].queued >= 1, { what: 'the connection queued in the kernel' });
  await c.call('start', { name: 'web', waiting: true });
  assert.equal(await pending, `${c.pids('web')[0]} 1\n`);
});

test('close_when_unused: a unix socket closes when its watcher stops and is rebound when it starts', async () => {
  const c = await control(`
[sockets.web]
path = "{dir}/web.sock"
[watchers.web]
cmd = ${worker()}
`);
  const path = join(c.dir, 'web.sock');
  assert.match(await get({ path }), /^\d+ 1\n$/);
  await c.call('stop', { name: 'web', waiting: true });
  assert.equal(existsSync(path), false, 'the socket file is gone');
  await assert.rejects(get({ path }), /ENOENT|ECONNREFUSED/);
  await c.call('start', { name: 'web', waiting: true });
  assert.equal(await get({ path }), `${c.pids('web')[0]} 1\n`);
});

test('on_demand: the first connection on its own socket starts the watcher and is served; other sockets trigger nothing', async () => {
  const c = await control(`
[sockets.web]
path = "{dir}/web.sock"
[sockets.other]
port = 0
[watchers.web]
cmd = ${worker()}
on_demand = true
[watchers.lazy]
cmd = ${q(`${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.other)`)}
on_demand = true
[watchers.busy]
cmd = "sleep 600"
use_sockets = ["other"]
autostart = false
`);
  assert.equal(c.pids('web').length, 0, 'nothing runs before a connection');
  assert.equal((await c.call('status', { name: 'web' })).status, 'stopped');
  const body = await get({ path: join(c.dir, 'web.sock') });
  assert.equal(body, `${c.pids('web')[0]} 1\n`, 'the very first connection was served by the process it started');
  assert.equal((await c.call('status', { name: 'web' })).status, 'active');
  assert.equal((await c.call('status', { name: 'lazy' })).status, 'stopped', "another watcher's socket did not fire");
  await c.call('stop', { name: 'web', waiting: true });
  assert.match(await get({ path: join(c.dir, 'web.sock') }), /^\d+ 1\n$/, 'stopped again: re-armed, a new connection restarts it');
});

test('reload waits for readiness; new processes that never become ready are stopped and the old ones keep serving', async () => {
  const c = await control(`
[sockets.web]
port = 0
[watchers.web]
cmd = ${worker()}
numprocesses = 2
ready_check = "test ! -e {dir}/broken"
ready_timeout = "2s"
`);
  const old = c.pids('web');
  const ok = (await c.call('reload', { name: 'web', waiting: true })).info as Record<string, number[]>;
  assert.deepEqual(ok.stopped, old);
  const current = c.pids('web');
  writeFileSync(join(c.dir, 'broken'), '');
  const spawnsBefore = c.events.filter((e) => e.event === 'spawn').length;
  const r = await c.call('reload', { name: 'web', waiting: true });
  assert.equal(r.status, 'error');
  assert.equal(r.errno, 5);
  assert.match(String(r.reason), /^reload of web stopped: new process \d+ \(wid 1\) not ready within 2s \(waiting for ready_check test ! -e .*broken to pass\); 2 old process\(es\) keep running$/);
  assert.deepEqual(c.pids('web'), current, 'the old processes keep running');
  const failed = c.events.filter((e) => e.event === 'spawn').slice(spawnsBefore).map((e) => (e.event === 'spawn' ? e.pid : 0));
  assert.equal(failed.length, 1);
  assert.equal(pidAlive(failed[0]), false, 'the unready process was stopped');
  assert.match(await get({ port: await port(c, 'web') }), new RegExp(`^(${current.join('|')}) [12]\\n$`));
});

test('ready_notify: s6 fd and systemd NOTIFY_SOCKET both gate a reload', async () => {
  for (const mode of ['fd', 'systemd']) {
    const c = await control(`
[sockets.web]
port = 0
[watchers.web]
cmd = ${worker()}
ready_notify = "${mode}"
ready_timeout = "20s"
copy_env = true
[watchers.web.env]
READY_DELAY_MS = "700"
`);
    const began = Date.now();
    const r = await c.call('reload', { name: 'web', waiting: true });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.ok(Date.now() - began >= 700, `${mode}: the reload waited for the notification`);
    const bad = await c.call('set', { name: 'web', options: { env: { NEVER_READY: '1' }, ready_timeout: 1 }, waiting: true });
    assert.equal(bad.status, 'ok');
    const pids = c.pids('web');
    const failed = await c.call('reload', { name: 'web', waiting: true });
    assert.match(String(failed.reason), new RegExp(`waiting for (a newline on \\$RING_READY_FD|READY=1 on \\$NOTIFY_SOCKET)`));
    assert.deepEqual(c.pids('web'), pids);
    await c.close();
  }
});

test('reloadconfig: an unchanged socket keeps its fd, a changed one is rebound and its watchers restart', async () => {
  const c = await control(`
[sockets.keep]
port = 0
[sockets.move]
port = 0
[watchers.a]
cmd = ${q(`${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.keep)`)}
[watchers.b]
cmd = ${q(`${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.move)`)}
`);
  const before = await sockets(c);
  const a = c.pids('a');
  const b = c.pids('b');
  const file = c.arbiter.config.file;
  const text = readFileSync(file, 'utf8').replace('[sockets.move]\nport = 0', '[sockets.move]\nport = 0\nbacklog = 64');
  writeFileSync(file, text);
  const plan = (await c.call('plan')).plan as Record<string, unknown>;
  assert.deepEqual(plan.sockets, { added: [], removed: [], changed: ['move'] });
  assert.deepEqual(plan.restart, ['b']);
  assert.equal((await c.call('reloadconfig', { waiting: true })).status, 'ok');
  const after = await sockets(c);
  assert.deepEqual(after.find((s) => s.name === 'keep'), before.find((s) => s.name === 'keep'), 'same fd, same port');
  assert.equal(after.find((s) => s.name === 'move')!.backlog, 64);
  assert.deepEqual(c.pids('a'), a, 'a was not touched');
  assert.notDeepEqual(c.pids('b'), b, 'b restarted on the new socket');
  assert.match(await get({ port: after.find((s) => s.name === 'move')!.port as number }), new RegExp(`^${c.pids('b')[0]} 1\\n$`));
});

test('stdin_socket: the socket is the process\'s fd 0', async () => {
  const c = await control(`
[sockets.in]
port = 0
[watchers.inetd]
cmd = ${q(`${process.execPath} ${fixture('http-worker.mjs')} --fd 0`)}
stdin_socket = "in"
`);
  const p = await port(c, 'in');
  assert.equal(await get({ port: p }), `${c.pids('inetd')[0]} 1\n`);
});
