// bindSocket / bindReusePort: real ports, exact errors, unix path rules, blocking flag, close-on-exec.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  SocketError, assertBoundPort, bindReusePort, bindSocket, setBlocking, type BoundSocket, type SocketConfig,
} from '../../../agent/sockets/bind.ts';
import { waitReadable } from '../../../agent/sockets/ready.ts';
import { freePort } from '../../support/ports.ts';
import { tmpDir } from '../../support/tmp.ts';
import { socketConfig } from '../../support/sockets.ts';
import { waitFor } from '../../support/wait.ts';

const bound: BoundSocket[] = [];
const servers: net.Server[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of bound) s.close();
  for (const s of servers) s.close();
});

const cfg = socketConfig;
const keep = (s: BoundSocket): BoundSocket => (bound.push(s), s);
const fdFlags = (fd: number): number => parseInt(/flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '', 8);
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

function bindError(c: SocketConfig): SocketError {
  try {
    keep(bindSocket(c));
  } catch (err) {
    assert.ok(err instanceof SocketError, `expected SocketError, got ${String(err)}`);
    return err;
  }
  assert.fail(`bind of ${c.name} unexpectedly succeeded`);
}

const connectOk = (port: number, host = '127.0.0.1'): Promise<void> =>
  new Promise((resolve, reject) => {
    const c = net.connect(port, host, () => (c.destroy(), resolve()));
    c.once('error', reject);
  });

test('port 0: the real port is reported and the socket already listens (connect succeeds, nobody accepts)', async () => {
  const s = keep(bindSocket(cfg({})));
  assert.equal(s.host, '127.0.0.1');
  assert.ok(s.port! > 0);
  assert.equal(s.family, 'inet');
  assert.equal(s.type, 'stream');
  await connectOk(s.port!);
});

test('fixed port, "localhost" resolution, and inet6 on ::1', async () => {
  const port = await freePort();
  const s = keep(bindSocket(cfg({ port, host: 'localhost' })));
  assert.deepEqual([s.host, s.port], ['127.0.0.1', port]);
  const s6 = keep(bindSocket(cfg({ name: 'v6', family: 'inet6', host: '::1' })));
  assert.equal(s6.host, '::1');
  await connectOk(s6.port!, '::1');
});

test('port in use → SocketError EADDRINUSE with the exact message', async () => {
  const srv = net.createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  const err = bindError(cfg({ name: 'web', port }));
  assert.equal(err.code, 'EADDRINUSE');
  assert.equal(err.socket, 'web');
  assert.equal(err.message, `socket "web": cannot bind 127.0.0.1:${port}: address already in use`);
});

test('deferred-EADDRINUSE guard message, EADDRNOTAVAIL, family mismatch, unresolvable host', () => {
  assert.throws(() => assertBoundPort('web', 8080, '0.0.0.0', 32945), {
    name: 'SocketError', code: 'EADDRINUSE', message: 'socket "web": port 8080 requested but bound to 0.0.0.0:32945 — refusing',
  });
  assert.doesNotThrow(() => assertBoundPort('web', 0, '127.0.0.1', 41000));
  const na = bindError(cfg({ name: 'far', host: '10.255.255.1', port: 8080 }));
  assert.equal(na.code, 'EADDRNOTAVAIL');
  assert.match(na.message, /^socket "far": cannot bind 10\.255\.255\.1:8080: /);
  assert.equal(bindError(cfg({ family: 'inet6', host: '127.0.0.1' })).code, 'EAFNOSUPPORT');
  assert.equal(bindError(cfg({ host: 'no-such-host.invalid' })).code, 'ENOTFOUND');
});

test('fds are close-on-exec and O_NONBLOCK by default; blocking = true clears O_NONBLOCK; setBlocking toggles', () => {
  const nb = keep(bindSocket(cfg({ name: 'nb' })));
  assert.ok(fdFlags(nb.fd) & O_CLOEXEC, 'CLOEXEC');
  assert.ok(fdFlags(nb.fd) & O_NONBLOCK, 'non-blocking by default');
  const bl = keep(bindSocket(cfg({ name: 'bl', blocking: true })));
  assert.ok(fdFlags(bl.fd) & O_CLOEXEC);
  assert.equal(fdFlags(bl.fd) & O_NONBLOCK, 0);
  setBlocking(nb, true);
  assert.equal(fdFlags(nb.fd) & O_NONBLOCK, 0);
  setBlocking(nb, false);
  assert.ok(fdFlags(nb.fd) & O_NONBLOCK);
});

test('a child given the socket sees O_NONBLOCK cleared in /proc/self/fdinfo/3 only when blocking = true', () => {
  for (const blocking of [true, false]) {
    const s = keep(bindSocket(cfg({ name: `b${blocking}`, blocking })));
    const r = spawnSync('sh', ['-c', 'cat /proc/self/fdinfo/3'], { stdio: ['ignore', 'pipe', 'inherit', s.fd], encoding: 'utf8' });
    const flags = parseInt(/flags:\s*(\d+)/.exec(r.stdout)?.[1] ?? 'x', 8);
    assert.ok(Number.isInteger(flags), r.stdout);
    assert.equal((flags & O_NONBLOCK) === 0, blocking, `blocking=${blocking} child flags ${flags.toString(8)}`);
    assert.equal(flags & O_CLOEXEC, 0, 'the child copy is not close-on-exec');
  }
});

test('so_reuseport: bindSocket refuses; two bindReusePort sockets share one port; a plain bind then fails', async () => {
  assert.equal(bindError(cfg({ so_reuseport: true })).code, 'EINVAL');
  const port = await freePort();
  const a = keep(bindReusePort(cfg({ name: 'rp', port })));
  const b = keep(bindReusePort(cfg({ name: 'rp', port })));
  assert.notEqual(a.fd, b.fd);
  assert.deepEqual([a.port, b.port, a.reusePort], [port, port, true]);
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listens = readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => l.split(/\s+/)[2]?.endsWith(hex) && / 0A /.test(l));
  assert.equal(listens.length, 2, listens.join('\n'));
  await connectOk(port);
  assert.equal(bindError(cfg({ name: 'plain', port })).code, 'EADDRINUSE');
  a.close();
  b.close();
});

test('unix: umask applied while binding (and restored), path reported absolute, close() unlinks', () => {
  const dir = tmpDir('sock-umask');
  const umaskBefore = readFileSync('/proc/self/status', 'utf8').match(/Umask:\s*(\d+)/)?.[1];
  const tight = keep(bindSocket(cfg({ name: 'tight', family: 'unix', path: join(dir, 'tight.sock'), umask: 0o077 })));
  const open = keep(bindSocket(cfg({ name: 'open', family: 'unix', path: join(dir, 'open.sock'), umask: 0 })));
  assert.equal(readFileSync('/proc/self/status', 'utf8').match(/Umask:\s*(\d+)/)?.[1], umaskBefore);
  assert.equal(lstatSync(tight.path!).mode & 0o777, 0o700);
  assert.equal(lstatSync(open.path!).mode & 0o777, 0o777);
  assert.ok(lstatSync(open.path!).isSocket());
  assert.equal(open.path, join(dir, 'open.sock'));
  open.close();
  assert.equal(existsSync(join(dir, 'open.sock')), false);
  open.close(); // idempotent
});

test('unix: an existing socket needs replace; a regular file is never deleted; close() spares a newer socket', () => {
  const dir = tmpDir('sock-replace');
  const path = join(dir, 'app.sock');
  const stale = bindSocket(cfg({ name: 'app', family: 'unix', path }));
  closeSync(stale.fd); // simulate a crashed agent: the file stays behind
  const refused = bindError(cfg({ name: 'app', family: 'unix', path }));
  assert.equal(refused.code, 'EEXIST');
  assert.match(refused.message, /^socket "app": cannot bind .*app\.sock: already exists/);
  const first = keep(bindSocket(cfg({ name: 'app', family: 'unix', path, replace: true })));
  const firstIno = lstatSync(path).ino;
  const second = keep(bindSocket(cfg({ name: 'app2', family: 'unix', path, replace: true }))); // replaces first's file
  assert.notEqual(lstatSync(path).ino, firstIno);
  first.close();
  assert.ok(existsSync(path), "first.close() must not unlink second's socket file");
  second.close();
  assert.equal(existsSync(path), false);

  const regular = join(dir, 'data.txt');
  writeFileSync(regular, 'precious');
  const err = bindError(cfg({ name: 'admin', family: 'unix', path: regular, replace: true }));
  assert.equal(err.code, 'EEXIST');
  assert.match(err.message, /is not a socket — refusing/);
  assert.equal(readFileSync(regular, 'utf8'), 'precious');
  assert.equal(bindError(cfg({ family: 'unix', path: join(dir, 'x'.repeat(120)) })).code, 'ENAMETOOLONG');
});

test('EACCES as user nobody: privileged port and a unix path in a mode-0 directory', () => {
  const dir = tmpDir('sock-eacces');
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'locked'), { mode: 0 });
  chmodSync(join(dir, 'locked'), 0);
  const script = join(dir, 'nobody.ts');
  const bindTs = new URL('../../../agent/sockets/bind.ts', import.meta.url).pathname;
  const nativeTs = new URL('../../../agent/supervise/native.ts', import.meta.url).pathname;
  // Everything (modules, koffi's native library) is loaded as root, then the process becomes nobody:
  // the checkout may sit in a folder nobody cannot read.
  writeFileSync(script, `
import { bindSocket } from ${JSON.stringify(bindTs)};
import { sysGetFdFlags } from ${JSON.stringify(nativeTs)};
sysGetFdFlags(0);
process.setgroups([]);
process.setgid(65534);
process.setuid(65534);
const base = ${JSON.stringify(cfg({ port: 80 }))};
const out = [];
for (const c of [{ ...base, name: 'priv' }, { ...base, name: 'admin', family: 'unix', path: ${JSON.stringify(join(dir, 'locked', 'x.sock'))} }]) {
  try { bindSocket(c); out.push('bound'); } catch (e) { out.push({ code: e.code, message: e.message }); }
}
console.log(JSON.stringify(out));
`);
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    { code: 'EACCES', message: 'socket "priv": cannot bind 127.0.0.1:80: permission denied' },
    { code: 'EACCES', message: `socket "admin": cannot bind ${join(dir, 'locked', 'x.sock')}: permission denied` },
  ]);
});

test('dgram (inet and unix): bound without reading; a datagram sent before the child exists reaches the child', async () => {
  const d = keep(bindSocket(cfg({ name: 'udp', type: 'dgram' })));
  assert.equal(d.type, 'dgram');
  assert.ok(d.port! > 0);
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((r, j) => sender.send('hello-udp', d.port!, '127.0.0.1', (e) => (e ? j(e) : r())));
  sender.close();
  await waitReadable(d.fd, { intervalMs: 10, signal: AbortSignal.timeout(10_000) });
  const py = spawn('python3', ['-c', 'import socket; s = socket.socket(fileno=3); s.setblocking(True); print(s.recv(100).decode())'], {
    stdio: ['ignore', 'pipe', 'inherit', d.fd],
  });
  children.push(py);
  let out = '';
  py.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor(() => out.includes('\n') && out, { what: 'python to print the datagram' });
  assert.equal(out.trim(), 'hello-udp');

  const path = join(tmpDir('sock-dgram'), 'd.sock');
  const u = keep(bindSocket(cfg({ name: 'udg', family: 'unix', type: 'dgram', path })));
  assert.ok(lstatSync(path).isSocket());
  u.close();
  assert.equal(existsSync(path), false);
});
