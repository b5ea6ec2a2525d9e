// The test load generator against plain Node servers: counting, error causes, unix targets, keep-alive reuse, stopping.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describeLoad, runLoad, startLoad } from './load.ts';
import { freePort } from './ports.ts';
import { tmpDir } from './tmp.ts';
import { waitFor } from './wait.ts';

interface Served {
  server: http.Server;
  /** TCP connections accepted so far. */
  connections: () => number;
  /** Connections still open on the server side. */
  open: () => number;
}

const servers: http.Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server on 127.0.0.1:0 (or a unix path) answering with handler's [status, body]. */
async function serve(handler: (n: number) => [number, string] | null, path?: string): Promise<Served> {
  let n = 0;
  let connections = 0;
  let open = 0;
  const server = http.createServer((req, res) => {
    const answer = handler(n++);
    if (answer === null) return; // never answer
    res.statusCode = answer[0];
    res.end(answer[1]);
  });
  server.on('connection', (sock) => {
    connections++;
    open++;
    sock.once('close', () => open--);
  });
  servers.push(server);
  await new Promise<void>((resolve) => (path ? server.listen(path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  return { server, connections: () => connections, open: () => open };
}
const portOf = (s: Served): number => (s.server.address() as AddressInfo).port;

test('counts ok requests, servedBy from the first body token, and stops at maxRequests', async () => {
  const s = await serve(() => [200, `${process.pid} w1\n`]);
  const r = await runLoad({ host: '127.0.0.1', port: portOf(s) }, { concurrency: 4, keepAlive: true, maxRequests: 200, maxDurationMs: 60_000 });
  assert.equal(r.requests, 200, describeLoad(r));
  assert.equal(r.ok, 200);
  assert.equal(r.failed, 0);
  assert.deepEqual(r.errors, {});
  assert.deepEqual(r.servedBy, { [String(process.pid)]: 200 });
  assert.ok(r.rps > 0 && r.maxLatencyMs > 0 && r.durationMs > 0, describeLoad(r));
});

test('servedBy splits by body; non-200 statuses count as failed by status', async () => {
  const s = await serve((n) => (n % 4 === 3 ? [503, 'busy'] : [200, n % 2 === 0 ? 'a 1' : 'b 2']));
  const r = await runLoad({ host: '127.0.0.1', port: portOf(s) }, { concurrency: 1, keepAlive: false, maxRequests: 40, maxDurationMs: 60_000 });
  assert.equal(r.requests, 40, describeLoad(r));
  assert.deepEqual(r.servedBy, { a: 20, b: 10 });
  assert.deepEqual(r.errors, { 'status 503': 10 });
  assert.equal(r.failed, 10);
});

test('a closed port: every request fails with ECONNREFUSED', async () => {
  const port = await freePort();
  const r = await runLoad({ host: '127.0.0.1', port }, { concurrency: 2, keepAlive: false, maxRequests: 20, maxDurationMs: 60_000 });
  assert.equal(r.requests, 20, describeLoad(r));
  assert.equal(r.ok, 0);
  assert.deepEqual(r.errors, { ECONNREFUSED: 20 });
});

test('unix socket target', async () => {
  const path = join(tmpDir('load-unix'), 'srv.sock');
  const s = await serve(() => [200, 'unix-srv\n'], path);
  for (const keepAlive of [true, false]) {
    const r = await runLoad({ path }, { concurrency: 3, keepAlive, maxRequests: 60, maxDurationMs: 60_000 });
    assert.equal(r.ok, 60, describeLoad(r));
    assert.deepEqual(r.servedBy, { 'unix-srv': 60 });
  }
  assert.ok(s.connections() > 0);
});

test('keep-alive reuses one connection per loop; keepAlive=false opens one per request; none stay open', async () => {
  const ka = await serve(() => [200, 'x']);
  const r1 = await runLoad({ host: '127.0.0.1', port: portOf(ka) }, { concurrency: 4, keepAlive: true, maxRequests: 200, maxDurationMs: 60_000 });
  assert.equal(r1.ok, 200, describeLoad(r1));
  assert.ok(ka.connections() <= 4, `keep-alive: ${ka.connections()} connections for 200 requests by 4 loops`);
  await waitFor(() => ka.open() === 0, { what: 'the keep-alive connections to be closed after the run' });

  const close = await serve(() => [200, 'x']);
  const r2 = await runLoad({ host: '127.0.0.1', port: portOf(close) }, { concurrency: 4, keepAlive: false, maxRequests: 100, maxDurationMs: 60_000 });
  assert.equal(r2.ok, 100, describeLoad(r2));
  assert.equal(close.connections(), 100);
  await waitFor(() => close.open() === 0, { what: 'every per-request connection to be closed' });
});

test('a request not answered within requestTimeoutMs fails with "timeout" and its connection is closed', async () => {
  const s = await serve(() => null);
  const r = await runLoad({ host: '127.0.0.1', port: portOf(s) }, {
    concurrency: 2, keepAlive: true, maxRequests: 4, maxDurationMs: 60_000, requestTimeoutMs: 200,
  });
  assert.deepEqual(r.errors, { timeout: 4 }, describeLoad(r));
  assert.ok(r.maxLatencyMs >= 190 && r.maxLatencyMs < 5000, describeLoad(r));
  await waitFor(() => s.open() === 0, { what: 'the timed-out connections to be closed' });
});

test('maxDurationMs and until() stop the loops by themselves; startLoad.stop() stops on demand', async () => {
  const s = await serve(() => [200, 'x']);
  const target = { host: '127.0.0.1', port: portOf(s) };
  const t0 = Date.now();
  const timed = await runLoad(target, { concurrency: 2, keepAlive: true, maxDurationMs: 300 });
  assert.ok(timed.ok > 0 && timed.failed === 0, describeLoad(timed));
  assert.ok(Date.now() - t0 < 10_000, 'maxDurationMs stops the run');

  let calls = 0;
  const untilRun = await runLoad(target, { concurrency: 1, keepAlive: false, maxDurationMs: 60_000, until: () => ++calls > 25 });
  assert.equal(untilRun.requests, 25, describeLoad(untilRun));

  const running = startLoad(target, { concurrency: 3, keepAlive: true, maxDurationMs: 60_000 });
  await waitFor(() => running.stats().ok >= 50, { what: '50 requests under startLoad' });
  const final = await running.stop();
  assert.ok(final.ok >= 50 && final.failed === 0, describeLoad(final));
  assert.deepEqual(await running.done, final);
  await waitFor(() => s.open() === 0, { what: 'startLoad sockets to be closed after stop()' });
});
