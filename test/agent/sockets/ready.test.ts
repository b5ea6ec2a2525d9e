// On-demand readiness: poll(2) notices a pending connection without accepting it, and no false positives (Circus §7.3).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bindSocket, type BoundSocket, type SocketConfig } from '../../../agent/sockets/bind.ts';
import { fdLayout } from '../../../agent/sockets/passing.ts';
import { isReadable, waitReadable } from '../../../agent/sockets/ready.ts';
import { socketStats } from '../../../agent/sockets/stats.ts';
import { tmpDir } from '../../support/tmp.ts';
import { socketConfig } from '../../support/sockets.ts';

const bound: BoundSocket[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of bound) s.close();
});

const cfg = (over: Partial<SocketConfig> = {}): SocketConfig => socketConfig({ name: 'lazy', backlog: 64, ...over });
const keep = (s: BoundSocket): BoundSocket => (bound.push(s), s);

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

function startWorker(s: BoundSocket): ChildProcess {
  const code = `require('http').createServer((q, r) => r.end('on-demand ' + process.pid)).listen({ fd: 3 })`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', ...fdLayout([s]).stdioExtra] });
  children.push(child);
  return child;
}

for (const kind of ['tcp', 'unix'] as const) {
  test(`${kind}: no false positive while idle; resolves on connect; the connection is then served by a late worker`, async () => {
    const s = keep(bindSocket(kind === 'tcp' ? cfg({}) : cfg({ family: 'unix', path: join(tmpDir('sock-ready'), 'lazy.sock') })));
    const target = kind === 'tcp' ? { port: s.port! } : { socketPath: s.path! };
    assert.equal(isReadable(s.fd), false);
    const idle = new AbortController();
    const idleWait = waitReadable(s.fd, { intervalMs: 10, signal: idle.signal });
    setTimeout(() => idle.abort(new Error('idle-timeout')), 400);
    await assert.rejects(idleWait, /idle-timeout/, 'must not resolve while nobody connects');

    let resolvedAt = 0;
    const ready = waitReadable(s.fd, { intervalMs: 10 }).then(() => (resolvedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(resolvedAt, 0);
    const response = get(target);
    await ready;
    assert.equal(socketStats(s).queued, 1, 'the connection is still queued: poll did not accept it');
    assert.equal(isReadable(s.fd), true);
    const worker = startWorker(s);
    assert.equal(await response, `on-demand ${worker.pid}`);
  });
}

test('abort before start rejects at once; a closed fd rejects instead of looping', async () => {
  await assert.rejects(waitReadable(3, { signal: AbortSignal.abort(new Error('pre-aborted')) }), /pre-aborted/);
  assert.throws(() => isReadable(1_000_000), /not an open descriptor/);
  await assert.rejects(waitReadable(1_000_000, { intervalMs: 5 }), /not an open descriptor/);
});
