// Socket stats from /proc/net (queue depth, ESTABLISHED count) and the Circus listsockets view.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bindSocket, type BoundSocket, type SocketConfig } from '../../../agent/sockets/bind.ts';
import { fdLayout } from '../../../agent/sockets/passing.ts';
import { allSocketStats, listSocketsView, socketAddress, socketStats } from '../../../agent/sockets/stats.ts';
import { tmpDir } from '../../support/tmp.ts';
import { waitFor } from '../../support/wait.ts';
import { socketConfig } from '../../support/sockets.ts';

const bound: BoundSocket[] = [];
const clients: net.Socket[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const c of clients) c.destroy();
  for (const s of bound) s.close();
});

const cfg = (over: Partial<SocketConfig> = {}): SocketConfig => socketConfig({ backlog: 64, ...over });
const keep = (s: BoundSocket): BoundSocket => (bound.push(s), s);
const connect = (opts: net.NetConnectOpts): net.Socket => {
  const c = net.connect(opts);
  c.on('error', () => undefined);
  clients.push(c);
  return c;
};

/** A Node child that accepts on fd 3 and holds every connection open. */
function holder(s: BoundSocket): ChildProcess {
  const code = `require('net').createServer(() => {}).listen({ fd: 3 }, () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit', ...fdLayout([s]).stdioExtra] });
  children.push(child);
  return child;
}

for (const kind of ['tcp', 'unix'] as const) {
  test(`${kind}: queued grows while nobody accepts, connections counts ESTABLISHED; a worker drains the queue`, async () => {
    const s = keep(bindSocket(kind === 'tcp' ? cfg({ name: 'st' }) : cfg({ name: 'su', family: 'unix', path: join(tmpDir('sock-stats'), 's.sock') })));
    const target: net.NetConnectOpts = kind === 'tcp' ? { port: s.port!, host: '127.0.0.1' } : { path: s.path! };
    assert.deepEqual(socketStats(s), { fd: s.fd, name: s.name, address: socketAddress(s), queued: 0, backlog: 64, connections: 0 });
    const conns = [connect(target), connect(target), connect(target)];
    await waitFor(() => {
      const st = socketStats(s);
      return st.queued === 3 && st.connections === 3;
    }, { what: '3 queued connections', timeoutMs: 10_000 });
    holder(s);
    await waitFor(() => {
      const st = socketStats(s);
      return st.queued === 0 && st.connections === 3 && st;
    }, { what: 'the worker to accept all 3 (queue empty, still 3 connections)' });
    for (const c of conns) c.destroy();
    await waitFor(() => socketStats(s).connections === 0, { what: 'connections to drop to 0' });
  });
}

test('allSocketStats over several sockets in one pass; dgram reports zeros; addresses formatted', async () => {
  const a = keep(bindSocket(cfg({ name: 'a' })));
  const b = keep(bindSocket(cfg({ name: 'b', family: 'inet6', host: '::1' })));
  const d = keep(bindSocket(cfg({ name: 'd', type: 'dgram' })));
  connect({ port: a.port!, host: '127.0.0.1' });
  connect({ port: b.port!, host: '::1' });
  connect({ port: b.port!, host: '::1' });
  const st = await waitFor(() => {
    const all = allSocketStats([a, b, d]);
    return all[0]?.queued === 1 && all[1]?.queued === 2 && all;
  }, { what: 'queues of 1 and 2' });
  assert.deepEqual(st.map((x) => [x.name, x.address, x.queued, x.connections]), [
    ['a', `127.0.0.1:${a.port}`, 1, 1],
    ['b', `[::1]:${b.port}`, 2, 2],
    ['d', `127.0.0.1:${d.port}`, 0, 0],
  ]);
});

test('listSocketsView: Circus keys, sorted by fd, family/type only when not inet/stream', () => {
  const path = join(tmpDir('sock-view'), 'v.sock');
  const u = keep(bindSocket(cfg({ name: 'admin', family: 'unix', path, backlog: 10 })));
  const t = keep(bindSocket(cfg({ name: 'web', backlog: 2048 })));
  const six = keep(bindSocket(cfg({ name: 'six', family: 'inet6', host: '::1' })));
  const d = keep(bindSocket(cfg({ name: 'udp', type: 'dgram' })));
  const view = listSocketsView([d, six, t, u]);
  const expected = [
    { fd: u.fd, name: 'admin', backlog: 10, path },
    { fd: t.fd, name: 'web', backlog: 2048, host: '127.0.0.1', port: t.port },
    { fd: six.fd, name: 'six', backlog: 64, host: '::1', port: six.port, family: 'inet6' },
    { fd: d.fd, name: 'udp', backlog: 64, host: '127.0.0.1', port: d.port, type: 'dgram' },
  ].sort((x, y) => x.fd - y.fd);
  assert.deepEqual(view, expected);
  assert.deepEqual(Object.keys(view.find((e) => e.name === 'web')!), ['fd', 'name', 'backlog', 'host', 'port']);
  assert.deepEqual(Object.keys(view.find((e) => e.name === 'admin')!), ['fd', 'name', 'backlog', 'path']);
});
