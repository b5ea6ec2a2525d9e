// Passing sockets to children: fixed fd numbers, nothing else leaks, the agent never accepts, workers serve queued conns.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { bindSocket, type BoundSocket, type SocketConfig } from '../../../agent/sockets/bind.ts';
import { fdLayout } from '../../../agent/sockets/passing.ts';
import { socketInode, socketStats } from '../../../agent/sockets/stats.ts';
import { tmpDir } from '../../support/tmp.ts';
import { socketConfig } from '../../support/sockets.ts';
import { waitFor } from '../../support/wait.ts';

const bound: BoundSocket[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of bound) s.close();
});

const cfg = socketConfig;
const keep = (s: BoundSocket): BoundSocket => (bound.push(s), s);

/** Runs a child with the given stdio; resolves its whole stdout at exit. */
function run(cmd: string, args: string[], stdio: StdioOptions): { child: ChildProcess; out: () => string; done: Promise<string> } {
  const child = spawn(cmd, args, { stdio });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<string>((resolve) => child.once('close', () => resolve(out)));
  return { child, out: () => out, done };
}

/** GET over TCP (port) or a unix socket (path) without keep-alive: the body. */
function get(target: { port?: number; socketPath?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', ...target, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    });
    req.once('error', reject);
  });
}

/** fds a child inherits from this process no matter what: not close-on-exec (the environment's, not ours). */
function inheritedFromEnvironment(): number[] {
  return readdirSync('/proc/self/fd').map(Number).filter((fd) => {
    if (fd <= 2) return false;
    try {
      const flags = parseInt(/flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0', 8);
      return (flags & 0o2000000) === 0;
    } catch {
      return false; // the fd readdir itself used
    }
  });
}

const NODE_WORKER = `
const http = require('http');
const fd = Number(process.argv[1]);
http.createServer((req, res) => res.end('served by ' + process.pid)).listen({ fd }, () => console.log('listening'));
`;

test('fdLayout: fds 3, 4, … in the order given; firstFd leaves ignore placeholders; duplicates refused', () => {
  const a = { name: 'a', fd: 40 } as BoundSocket;
  const b = { name: 'b', fd: 17 } as BoundSocket;
  assert.deepEqual(fdLayout([a, b]), { stdioExtra: [40, 17], fdOf: { a: 3, b: 4 } });
  assert.deepEqual(fdLayout([b], 5), { stdioExtra: ['ignore', 'ignore', 17], fdOf: { b: 5 } });
  assert.deepEqual(fdLayout([]), { stdioExtra: [], fdOf: {} });
  assert.throws(() => fdLayout([a, a]), /given twice/);
  assert.throws(() => fdLayout([a], 2), RangeError);
});

test('a child holds exactly fds 0-2 plus the given sockets, at the announced numbers; other agent sockets stay out', async () => {
  const web = keep(bindSocket(cfg({ name: 'web' })));
  const admin = keep(bindSocket(cfg({ name: 'admin', family: 'unix', path: join(tmpDir('sock-pass'), 'admin.sock') })));
  const secret = keep(bindSocket(cfg({ name: 'secret' }))); // bound by the agent, NOT given to this child
  const layout = fdLayout([admin, web]);
  assert.deepEqual(layout.fdOf, { admin: 3, web: 4 });
  const env = inheritedFromEnvironment().filter((fd) => fd > 4);
  const r = run('sh', ['-c', 'exec ls -l /proc/self/fd'], ['ignore', 'pipe', 'ignore', ...layout.stdioExtra]);
  const listing = await r.done;
  const fds = new Map<number, string>();
  for (const m of listing.matchAll(/ (\d+) -> (.*)$/gm)) {
    if (!/^\/proc\/\d+\/fd$/.test(m[2] ?? '')) fds.set(Number(m[1]), m[2] ?? ''); // skip ls's own readdir fd
  }
  assert.deepEqual([...fds.keys()].sort((x, y) => x - y), [0, 1, 2, 3, 4, ...env].sort((x, y) => x - y), listing);
  assert.equal(fds.get(layout.fdOf.admin!), `socket:[${socketInode(admin.fd)}]`);
  assert.equal(fds.get(layout.fdOf.web!), `socket:[${socketInode(web.fd)}]`);
  assert.ok(![...fds.values()].includes(`socket:[${socketInode(secret.fd)}]`), 'an unrelated agent socket leaked');
});

test('accept queue: a request made BEFORE any child exists is served by a Node child spawned later; the agent never accepts', async () => {
  const web = keep(bindSocket(cfg({ name: 'queued' })));
  const response = get({ port: web.port! });
  await waitFor(() => socketStats(web).queued === 1, { what: 'the connection to sit in the accept queue' });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(socketStats(web).queued, 1, 'still queued: nobody in the agent accepted it');
  const { stdioExtra, fdOf } = fdLayout([web]);
  const w = run(process.execPath, ['-e', NODE_WORKER, String(fdOf.queued)], ['ignore', 'pipe', 'inherit', ...stdioExtra]);
  assert.equal(await response, `served by ${w.child.pid}`);
  assert.equal(await get({ port: web.port! }), `served by ${w.child.pid}`);
  // none of the server-side (local port = listener port) connections belongs to an fd of this process
  const ours = new Set(readdirSync('/proc/self/fd').map((fd) => {
    try { return /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]; } catch { return undefined; }
  }));
  const portHex = web.port!.toString(16).toUpperCase().padStart(4, '0');
  const serverSide = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${portHex}`) && f[3] !== '0A');
  assert.ok(serverSide.every((f) => !ours.has(f[9])), 'the agent holds an accepted connection');
});

test('unix socket: queued request served by a child spawned afterwards', async () => {
  const path = join(tmpDir('sock-pass-unix'), 'web.sock');
  const web = keep(bindSocket(cfg({ name: 'uweb', family: 'unix', path })));
  const response = get({ socketPath: path });
  await waitFor(() => socketStats(web).queued === 1, { what: 'the unix connection to be queued' });
  const { stdioExtra, fdOf } = fdLayout([web]);
  const w = run(process.execPath, ['-e', NODE_WORKER, String(fdOf.uweb)], ['ignore', 'pipe', 'inherit', ...stdioExtra]);
  assert.equal(await response, `served by ${w.child.pid}`);
});

const PY_WORKER = `
import socket, sys
s = socket.socket(fileno=3)
print('ready', flush=True)
try:
    while True:
        c, _ = s.accept()
        c.recv(65536)
        c.sendall(b'HTTP/1.0 200 OK\\r\\nContent-Length: 6\\r\\nConnection: close\\r\\n\\r\\npython')
        c.close()
except BlockingIOError:
    print('BlockingIOError', flush=True)
`;

test('Python worker with a blocking accept() loop serves requests when blocking = true (and fails without it)', async () => {
  const web = keep(bindSocket(cfg({ name: 'py', blocking: true })));
  const early = get({ port: web.port! });
  const w = run('python3', ['-c', PY_WORKER], ['ignore', 'pipe', 'inherit', ...fdLayout([web]).stdioExtra]);
  assert.equal(await early, 'python');
  const bodies = await Promise.all([1, 2, 3].map(() => get({ port: web.port! })));
  assert.deepEqual(bodies, ['python', 'python', 'python']);
  assert.ok(w.out().startsWith('ready'));

  const nb = keep(bindSocket(cfg({ name: 'pynb', blocking: false })));
  const bad = run('python3', ['-c', PY_WORKER], ['ignore', 'pipe', 'inherit', ...fdLayout([nb]).stdioExtra]);
  assert.equal((await bad.done).trim(), 'ready\nBlockingIOError');
});
